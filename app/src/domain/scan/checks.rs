//! Check digits and number ranges of the personal-data detectors. A candidate a pattern found
//! is reported only when it passes its check, so "4111 1111 1111 1112" in a log line is not a
//! card number. Each takes the text as matched (separators included) and allocates nothing, so
//! the scanner can call it on every candidate of a large input, in the browser too.

/// The digits of `text` and how many there are, skipping the separators people write numbers
/// with (space, `-`, `.`); `None` when anything else is in it or there are more than `N`.
fn digits<const N: usize>(text: &str) -> Option<([u32; N], usize)> {
    let mut digits = [0; N];
    let mut len = 0;
    for c in text.chars() {
        match c.to_digit(10) {
            Some(d) if c.is_ascii_digit() => {
                *digits.get_mut(len)? = d;
                len += 1;
            }
            _ if matches!(c, ' ' | '-' | '.') => {}
            _ => return None,
        }
    }
    Some((digits, len))
}

/// A payment card number: 13 to 19 digits passing the Luhn check (twelve-digit numbers are
/// too often the tail of another number).
pub fn payment_card(text: &str) -> bool {
    let Some((digits, len)) = digits::<19>(text) else {
        return false;
    };
    if len < 13 {
        return false;
    }
    // From the right, every second digit doubled (less 9 when over 9).
    let sum: u32 = digits[..len]
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| match (i % 2, d * 2) {
            (1, doubled) if doubled > 9 => doubled - 9,
            (1, doubled) => doubled,
            _ => d,
        })
        .sum();
    sum.is_multiple_of(10)
}

/// An IBAN's length in each country that issues them (ISO 13616), for the ones the scanner is
/// likely to meet; another country's is checked by its check digits alone.
const IBAN_LENGTHS: &[(&str, usize)] = &[
    ("AT", 20),
    ("BE", 16),
    ("BG", 22),
    ("CH", 21),
    ("CY", 28),
    ("CZ", 24),
    ("DE", 22),
    ("DK", 18),
    ("EE", 20),
    ("ES", 24),
    ("FI", 18),
    ("FR", 27),
    ("GB", 22),
    ("GR", 27),
    ("HR", 21),
    ("HU", 28),
    ("IE", 22),
    ("IS", 26),
    ("IT", 27),
    ("LI", 21),
    ("LT", 20),
    ("LU", 20),
    ("LV", 21),
    ("MT", 31),
    ("NL", 18),
    ("NO", 15),
    ("PL", 28),
    ("PT", 25),
    ("RO", 24),
    ("SA", 24),
    ("SE", 24),
    ("SI", 19),
    ("SK", 24),
    ("AE", 23),
    ("TR", 26),
];

/// An IBAN: two letters, two check digits and up to 30 letters or digits (spaces allowed),
/// of its country's length, whose number — the first four characters moved to the end, letters
/// as 10 to 35 — leaves 1 divided by 97.
pub fn iban(text: &str) -> bool {
    let compact = || text.chars().filter(|c| *c != ' ');
    let len = compact().count();
    if !(15..=34).contains(&len) || !compact().all(|c| c.is_ascii_alphanumeric()) {
        return false;
    }
    let mut head = compact();
    let (Some(a), Some(b), Some(c), Some(d)) = (head.next(), head.next(), head.next(), head.next())
    else {
        return false;
    };
    if !(a.is_ascii_uppercase()
        && b.is_ascii_uppercase()
        && c.is_ascii_digit()
        && d.is_ascii_digit())
    {
        return false;
    }
    let country = [a as u8, b as u8];
    if let Some((_, expected)) = IBAN_LENGTHS
        .iter()
        .find(|(code, _)| code.as_bytes() == country)
    {
        if *expected != len {
            return false;
        }
    }
    // The remainder, carried digit by digit, never overflows.
    let mut remainder = 0u32;
    for ch in compact().skip(4).chain([a, b, c, d]) {
        let Some(value) = ch.to_digit(36) else {
            return false;
        };
        if ch.is_ascii_lowercase() {
            return false;
        }
        remainder = if value >= 10 {
            (remainder * 100 + value) % 97
        } else {
            (remainder * 10 + value) % 97
        };
    }
    remainder == 1
}

/// A Thai national ID number: 13 digits (commonly written `1-2345-67890-12-3`), not starting
/// with 0, whose last digit is the check digit: (11 − Σ dᵢ·(13 − i) mod 11) mod 10 over the first
/// twelve.
pub fn thai_national_id(text: &str) -> bool {
    match digits::<13>(text) {
        Some((digits, 13)) if digits[0] != 0 => {
            let sum: u32 = (0..12)
                .zip((2..=13).rev())
                .map(|(i, w)| digits[i] * w)
                .sum();
            (11 - sum % 11) % 10 == digits[12]
        }
        _ => false,
    }
}

/// A US social security number as `AAA-GG-SSSS` (or nine digits): never issued with area 000,
/// 666 or 900–999, group 00 or serial 0000.
pub fn us_ssn(text: &str) -> bool {
    let Some((digits, 9)) = digits::<9>(text) else {
        return false;
    };
    let number = |range: std::ops::Range<usize>| digits[range].iter().fold(0, |n, d| n * 10 + d);
    let (area, group, serial) = (number(0..3), number(3..5), number(5..9));
    area != 0 && area != 666 && area < 900 && group != 0 && serial != 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn card_numbers_pass_the_luhn_check() {
        for valid in [
            "4111 1111 1111 1111",
            "4111-1111-1111-1111",
            "5555555555554444",
            "378282246310005",
            "6011111111111117",
        ] {
            assert!(payment_card(valid), "{valid}");
        }
        for invalid in [
            "4111 1111 1111 1112",
            "1234 5678 9012 3456",
            "41111",
            "4111 1111 1111 1111 1111 1",
            "4111x1111x1111x1111",
            "",
        ] {
            assert!(!payment_card(invalid), "{invalid}");
        }
    }

    #[test]
    fn ibans_pass_mod_97_at_their_countrys_length() {
        for valid in [
            "GB82 WEST 1234 5698 7654 32",
            "DE89370400440532013000",
            "FR14 2004 1010 0505 0001 3M02 606",
            "NL91ABNA0417164300",
        ] {
            assert!(iban(valid), "{valid}");
        }
        for invalid in [
            "GB82 WEST 1234 5698 7654 33",
            "DE89 3704 0044 0532 0130 0",
            "gb82 west 1234 5698 7654 32",
            "GB82-WEST-1234-5698-7654-32",
            "XX00",
            "12 3456 7890 1234 56",
        ] {
            assert!(!iban(invalid), "{invalid}");
        }
    }

    #[test]
    fn thai_national_ids_carry_their_check_digit() {
        for valid in ["1101700230074", "1-1017-00230-07-4", "3 1005 00623 51 5"] {
            assert!(thai_national_id(valid), "{valid}");
        }
        for invalid in [
            "1101700230075",
            "0101700230074",
            "110170023007",
            "1101700230074 1",
        ] {
            assert!(!thai_national_id(invalid), "{invalid}");
        }
    }

    #[test]
    fn social_security_numbers_are_in_issued_ranges() {
        for valid in ["123-45-6789", "078 05 1121", "899450001"] {
            assert!(us_ssn(valid), "{valid}");
        }
        for invalid in [
            "000-45-6789",
            "666-45-6789",
            "900-45-6789",
            "123-00-6789",
            "123-45-0000",
            "123-45-678",
            "123/45/6789",
        ] {
            assert!(!us_ssn(invalid), "{invalid}");
        }
    }
}
