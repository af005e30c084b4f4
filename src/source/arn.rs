//! The parts of an ARN every AWS source checks the same way: partition, region, account.

/// An ARN's partition: lower-case letters and `-` (`aws`, `aws-cn`, `aws-us-gov`).
pub fn check_arn_partition(partition: &str) -> Result<(), String> {
    if partition.is_empty()
        || !partition
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b == b'-')
    {
        return Err(format!("{partition:?} is not an AWS partition"));
    }
    Ok(())
}

/// An ARN's region (lower-case letters, digits and `-`) and account (12 digits).
pub fn check_arn_region_and_account(region: &str, account: &str) -> Result<(), String> {
    if region.is_empty()
        || !region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err(format!("{region:?} is not an AWS region"));
    }
    if !is_account_id(account) {
        return Err(format!("{account:?} is not a 12-digit account id"));
    }
    Ok(())
}

/// An AWS account id: 12 digits.
pub fn is_account_id(text: &str) -> bool {
    text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partitions_regions_and_accounts_have_their_shapes() {
        assert!(check_arn_partition("aws-us-gov").is_ok());
        assert!(check_arn_partition("AWS").is_err());
        assert!(check_arn_partition("").is_err());
        assert!(check_arn_region_and_account("eu-west-1", "123456789012").is_ok());
        assert!(check_arn_region_and_account("EU", "123456789012").is_err());
        assert!(check_arn_region_and_account("eu-west-1", "1234").is_err());
        assert!(is_account_id("123456789012"));
        assert!(!is_account_id("12345678901a"));
    }
}
