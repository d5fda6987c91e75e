//! Check characters of the two national identifiers a counterparty may carry.

use chrono::{Datelike, NaiveDate};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("must be 18 characters")]
    Length,
    #[error("contains a character not allowed at position {0}")]
    Character(usize),
    #[error("the administrative division code (characters 3–8) is not a real one")]
    Division,
    #[error("check character is wrong (expected {0})")]
    Check(char),
    #[error("birth date {0} is not a real date")]
    BirthDate(String),
    #[error("birth date is in the future")]
    BirthInFuture,
}

/// GB 32100-2015 统一社会信用代码 alphabet (no I, O, Z, S, V).
const CREDIT_ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const CREDIT_WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// The check character for the first 17 characters of a credit code, if they are valid.
pub fn credit_code_check_char(first17: &str) -> Result<char, IdError> {
    let bytes = first17.as_bytes();
    if bytes.len() != 17 {
        return Err(IdError::Length);
    }
    let mut sum = 0u32;
    for (i, b) in bytes.iter().enumerate() {
        let v = CREDIT_ALPHABET
            .iter()
            .position(|c| c == b)
            .ok_or(IdError::Character(i + 1))? as u32;
        sum += v * CREDIT_WEIGHTS[i];
    }
    let check = (31 - sum % 31) % 31;
    Ok(CREDIT_ALPHABET[check as usize] as char)
}

/// Validate a 统一社会信用代码 (upper-case, 18 characters, GB 32100 check character).
pub fn parse_credit_code(s: &str) -> Result<String, IdError> {
    if s.chars().count() != 18 || !s.is_ascii() {
        return Err(IdError::Length);
    }
    let expected = credit_code_check_char(&s[..17])?;
    // GB 32100-2015's structure: a registering authority (1–9, A, N, Y), an organisation
    // category (1–9), and a six-digit administrative division code (GB/T 2260, never 000000).
    // The check character alone accepts degenerate codes such as eighteen zeros.
    let b = s.as_bytes();
    if !b"123456789ANY".contains(&b[0]) {
        return Err(IdError::Character(1));
    }
    if !(b'1'..=b'9').contains(&b[1]) {
        return Err(IdError::Character(2));
    }
    let division = &s[2..8];
    if !division.bytes().all(|c| c.is_ascii_digit()) || division.starts_with("00") {
        return Err(IdError::Division);
    }
    let last = s.as_bytes()[17] as char;
    if !CREDIT_ALPHABET.contains(&(last as u8)) {
        return Err(IdError::Character(18));
    }
    if last != expected {
        return Err(IdError::Check(expected));
    }
    Ok(s.to_string())
}

const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK: &[u8; 11] = b"10X98765432";

/// The check digit for the first 17 digits of a 公民身份号码.
pub fn id_number_check_char(first17: &str) -> Result<char, IdError> {
    let bytes = first17.as_bytes();
    if bytes.len() != 17 {
        return Err(IdError::Length);
    }
    let mut sum = 0u32;
    for (i, b) in bytes.iter().enumerate() {
        if !b.is_ascii_digit() {
            return Err(IdError::Character(i + 1));
        }
        sum += u32::from(b - b'0') * ID_WEIGHTS[i];
    }
    Ok(ID_CHECK[(sum % 11) as usize] as char)
}

/// Validate a GB 11643 公民身份号码: 18 characters, a real birth date not after `today`, and
/// the check digit. A lower-case `x` is accepted and normalised to `X`.
pub fn parse_id_number(s: &str, today: NaiveDate) -> Result<String, IdError> {
    if s.chars().count() != 18 || !s.is_ascii() {
        return Err(IdError::Length);
    }
    let s = s.to_ascii_uppercase();
    let expected = id_number_check_char(&s[..17])?;
    let birth = &s[6..14];
    let date = NaiveDate::parse_from_str(birth, "%Y%m%d")
        .map_err(|_| IdError::BirthDate(birth.to_string()))?;
    if date.year() < 1900 {
        return Err(IdError::BirthDate(birth.to_string()));
    }
    if date > today {
        return Err(IdError::BirthInFuture);
    }
    let last = s.as_bytes()[17] as char;
    if !(last.is_ascii_digit() || last == 'X') {
        return Err(IdError::Character(18));
    }
    if last != expected {
        return Err(IdError::Check(expected));
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
    }

    #[test]
    fn known_credit_codes() {
        // Published codes of real organisations.
        assert!(parse_credit_code("91350100M000100Y43").is_ok());
        assert_eq!(
            parse_credit_code("91350100M000100Y44"),
            Err(IdError::Check('3'))
        );
        assert_eq!(parse_credit_code("91350100M00010"), Err(IdError::Length));
        assert_eq!(
            parse_credit_code("91350100I000100Y43"),
            Err(IdError::Character(9))
        );
        assert_eq!(
            parse_credit_code("91350100m000100Y43"),
            Err(IdError::Character(9))
        );
        assert_eq!(
            parse_credit_code("统一社会信用代码统一社会信用代码统一"),
            Err(IdError::Length)
        );
    }

    #[test]
    fn check_char_zero_case() {
        // A sum divisible by 31 gives check value 0, not 31.
        let body = "00000000000000000";
        assert_eq!(credit_code_check_char(body), Ok('0'));
        // ...but eighteen zeros, whose check character is right, is no one's code.
        assert_eq!(
            parse_credit_code("000000000000000000"),
            Err(IdError::Character(1))
        );
        let body = "9100000000000000";
        let code = |first17: &str| format!("{first17}{}", credit_code_check_char(first17).unwrap());
        assert_eq!(
            parse_credit_code(&code(&format!("{body}1"))),
            Err(IdError::Division)
        );
        assert_eq!(
            parse_credit_code(&code("90370322MA3C0000X")),
            Err(IdError::Character(2))
        );
    }

    #[test]
    fn known_id_numbers() {
        // The GB 11643 worked example.
        assert!(parse_id_number("11010519491231002X", today()).is_ok());
        assert_eq!(
            parse_id_number("11010519491231002x", today()).unwrap(),
            "11010519491231002X"
        );
        assert!(parse_id_number("440524188001010014", today()).is_err()); // before 1900
        assert_eq!(
            parse_id_number("110105194912310021", today()),
            Err(IdError::Check('X'))
        );
    }

    #[test]
    fn impossible_and_future_birth_dates() {
        let with_check =
            |first17: &str| format!("{first17}{}", id_number_check_char(first17).unwrap());
        assert!(matches!(
            parse_id_number(&with_check("11010519490230002"), today()),
            Err(IdError::BirthDate(_))
        ));
        assert_eq!(
            parse_id_number(&with_check("11010520301231002"), today()),
            Err(IdError::BirthInFuture)
        );
        assert!(parse_id_number(&with_check("37032219900229123"), today()).is_err()); // 1990 not leap
        assert!(parse_id_number(&with_check("37032220000229123"), today()).is_ok()); // 2000 leap
    }
}
