//! Following `NextToken` safely: a repeated token or an endless run of pages is refused.

use std::future::Future;
use std::time::{Duration, Instant};

use super::throttle::{CallBudget, OnThrottling};
use crate::error::{Failure, FailureKind};

/// Every page of a paginated call, each through `budget` (as `on_throttling` says): `call`
/// asks for the page after a token (none for the first); `take` keeps what an answer holds,
/// with how long its call took, and gives its NextToken.
pub async fn every_page<O, Call, Answer>(
    budget: &CallBudget,
    on_throttling: OnThrottling,
    mut call: Call,
    mut take: impl FnMut(O, Duration) -> Option<String>,
) -> Result<(), Failure>
where
    Call: FnMut(Option<String>) -> Answer,
    Answer: Future<Output = Result<O, Failure>>,
{
    let mut pages = Pages::default();
    loop {
        let started = Instant::now();
        let token = pages.token();
        let output = budget.call(on_throttling, || call(token.clone())).await?;
        if !pages.next(take(output, started.elapsed()))? {
            return Ok(());
        }
    }
}

/// Follows NextToken, refusing an endless or looping pagination.
#[derive(Debug, Default)]
pub struct Pages {
    token: Option<String>,
    count: usize,
}

impl Pages {
    /// No service has this many pages for a CI job's values.
    const LIMIT: usize = 1000;

    /// The token to send with the next call (none for the first).
    pub fn token(&self) -> Option<String> {
        self.token.clone()
    }

    /// Takes the answer's NextToken: whether there is another page.
    pub fn next(&mut self, token: Option<String>) -> Result<bool, Failure> {
        let token = token.filter(|token| !token.is_empty());
        self.count += 1;
        if token.is_some() && (token == self.token || self.count >= Self::LIMIT) {
            return Err(Failure::new(
                FailureKind::Other,
                "the service keeps answering with more pages (NextToken)",
            ));
        }
        self.token = token;
        Ok(self.token.is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pagination_stops_on_a_repeated_token() {
        let mut pages = Pages::default();
        assert_eq!(pages.next(Some("a".into())), Ok(true));
        assert_eq!(pages.next(Some("b".into())), Ok(true));
        assert!(pages.next(Some("b".into())).is_err());
        let mut done = Pages::default();
        assert_eq!(done.next(Some(String::new())), Ok(false));
    }

    #[test]
    fn pagination_is_bounded() {
        let mut pages = Pages::default();
        let mut last = Ok(true);
        for page in 0..2000 {
            last = pages.next(Some(format!("token-{page}")));
            if last.is_err() {
                break;
            }
        }
        assert!(last.is_err());
    }
}
