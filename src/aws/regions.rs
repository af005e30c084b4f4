//! What a region's name looks like, and the regions AWS has, to name the closest one to a
//! mistyped name (`euwest1` -> `eu-west-1`).

/// The regions of the commercial, China, GovCloud and European Sovereign Cloud partitions.
pub const KNOWN_REGIONS: &[&str] = &[
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "cn-north-1",
    "cn-northwest-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eusc-de-east-1",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-gov-east-1",
    "us-gov-west-1",
    "us-west-1",
    "us-west-2",
];

/// Whether `name` has a region's shape: lower-case words joined by `-`, ending with a number
/// (`eu-west-1`, `us-gov-east-1`); a region AWS opens later has it too.
pub fn is_region_shaped(name: &str) -> bool {
    let parts: Vec<&str> = name.split('-').collect();
    let Some((number, words)) = parts.split_last() else {
        return false;
    };
    words.len() >= 2
        && words
            .iter()
            .all(|word| !word.is_empty() && word.bytes().all(|b| b.is_ascii_lowercase()))
        && !number.is_empty()
        && number.bytes().all(|b| b.is_ascii_digit())
}

/// The known region closest to `name` (by edit distance, ignoring case and dashes), if any is
/// close enough to be what was meant.
pub fn closest_region(name: &str) -> Option<&'static str> {
    let squeezed = |text: &str| text.to_ascii_lowercase().replace(['-', '_', ' '], "");
    let wanted = squeezed(name);
    KNOWN_REGIONS
        .iter()
        .map(|region| (strsim::levenshtein(&wanted, &squeezed(region)), *region))
        .filter(|(distance, _)| *distance <= 3)
        .min()
        .map(|(_, region)| region)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_have_their_shape() {
        for region in KNOWN_REGIONS {
            assert!(is_region_shaped(region), "{region}");
        }
        for name in [
            "euwest1",
            "eu-west",
            "EU-WEST-1",
            "eu--west-1",
            "west-1",
            "eu-west-1a",
            "",
        ] {
            assert!(!is_region_shaped(name), "{name}");
        }
        assert!(is_region_shaped("xx-future-9"));
    }

    #[test]
    fn the_closest_region_is_what_was_meant() {
        assert_eq!(closest_region("euwest1"), Some("eu-west-1"));
        assert_eq!(closest_region("EU_WEST_1"), Some("eu-west-1"));
        assert_eq!(closest_region("us-east1"), Some("us-east-1"));
        assert_eq!(closest_region("uswest2"), Some("us-west-2"));
        assert_eq!(closest_region("frankfurt"), None);
    }
}
