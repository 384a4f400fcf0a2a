//! Lexical forms of the XSD datatypes (XML Schema 1.1 Part 2), for `sh:datatype`: a literal
//! conforms only when its datatype matches and its lexical form is valid for that datatype
//! (SHACL §4.1.2), so `"n/a"^^xsd:decimal`, `"1e3"^^xsd:decimal` and `"2022-02-30"^^xsd:date`
//! do not.
//!
//! The parsing is [`oxsdatatypes`]' (Oxigraph's own XSD types); this file only maps datatype
//! IRIs to parsers, applies the `collapse` whitespace facet and checks the ranges of the
//! integer subtypes. Limits inherited from those types: integers outside the 64-bit range and
//! decimals beyond 18 fractional digits or about 1.7e20 are reported as invalid.

use oxsdatatypes::{
    Boolean, Date, DateTime, DayTimeDuration, Decimal, Double, Duration, Float, GDay, GMonth,
    GMonthDay, GYear, GYearMonth, Integer, Time, YearMonthDuration,
};
use std::str::FromStr;

const XSD: &str = "http://www.w3.org/2001/XMLSchema#";

/// Whether `lexical` is a valid lexical form of the datatype `datatype` (an IRI without
/// angle brackets). Datatypes this function does not know (other than the XSD ones, for
/// example `geo:wktLiteral`) are accepted: SHACL asks for well-formedness only where the
/// processor recognises the datatype.
#[must_use]
pub fn is_valid(datatype: &str, lexical: &str) -> bool {
    let Some(local) = datatype.strip_prefix(XSD) else {
        return true;
    };
    // Every XSD datatype below but string and normalizedString collapses whitespace.
    let collapsed = lexical.trim_matches([' ', '\t', '\n', '\r']);
    let ok = |r: bool| r && !collapsed.contains([' ', '\t', '\n', '\r']);
    match local {
        "string" => true,
        "normalizedString" => !lexical.contains(['\t', '\n', '\r']),
        "boolean" => ok(Boolean::from_str(collapsed).is_ok()),
        "decimal" => ok(Decimal::from_str(collapsed).is_ok()),
        "double" => ok(Double::from_str(collapsed).is_ok()),
        "float" => ok(Float::from_str(collapsed).is_ok()),
        "date" => ok(Date::from_str(collapsed).is_ok()),
        "dateTime" => ok(DateTime::from_str(collapsed).is_ok()),
        "dateTimeStamp" => ok(DateTime::from_str(collapsed).is_ok_and(|d| d.timezone().is_some())),
        "time" => ok(Time::from_str(collapsed).is_ok()),
        "duration" => ok(Duration::from_str(collapsed).is_ok()),
        "yearMonthDuration" => ok(YearMonthDuration::from_str(collapsed).is_ok()),
        "dayTimeDuration" => ok(DayTimeDuration::from_str(collapsed).is_ok()),
        "gYear" => ok(GYear::from_str(collapsed).is_ok()),
        "gYearMonth" => ok(GYearMonth::from_str(collapsed).is_ok()),
        "gMonth" => ok(GMonth::from_str(collapsed).is_ok()),
        "gDay" => ok(GDay::from_str(collapsed).is_ok()),
        "gMonthDay" => ok(GMonthDay::from_str(collapsed).is_ok()),
        "token" | "language" | "Name" | "NCName" | "NMTOKEN" => {
            ok(!collapsed.is_empty() || local == "token")
        }
        integer => match integer_range(integer) {
            Some((min, max)) => ok(parse_integer(collapsed).is_some_and(|i| min <= i && i <= max)),
            None => true,
        },
    }
}

/// The datatype Oxigraph's store keeps values of `datatype` as, when it is not `datatype`
/// itself: the built-in subtypes of `xsd:integer` become `xsd:integer` and
/// `xsd:dateTimeStamp` becomes `xsd:dateTime`, so `sh:datatype` on them cannot be checked.
#[must_use]
pub fn stored_as(datatype: &str) -> Option<&'static str> {
    let local = datatype.strip_prefix(XSD)?;
    match local {
        "dateTimeStamp" => Some("xsd:dateTime"),
        "integer" => None,
        other if integer_range(other).is_some() => Some("xsd:integer"),
        _ => None,
    }
}

/// The value range of `xsd:integer` and its built-in subtypes, as `i128` bounds.
fn integer_range(local: &str) -> Option<(i128, i128)> {
    let i64_range = (i128::from(i64::MIN), i128::from(i64::MAX));
    Some(match local {
        "integer" | "long" => i64_range,
        "int" => (i128::from(i32::MIN), i128::from(i32::MAX)),
        "short" => (i128::from(i16::MIN), i128::from(i16::MAX)),
        "byte" => (i128::from(i8::MIN), i128::from(i8::MAX)),
        "nonNegativeInteger" => (0, i64_range.1),
        "positiveInteger" => (1, i64_range.1),
        "nonPositiveInteger" => (i64_range.0, 0),
        "negativeInteger" => (i64_range.0, -1),
        "unsignedLong" => (0, i128::from(u64::MAX)),
        "unsignedInt" => (0, i128::from(u32::MAX)),
        "unsignedShort" => (0, i128::from(u16::MAX)),
        "unsignedByte" => (0, i128::from(u8::MAX)),
        _ => return None,
    })
}

fn parse_integer(lexical: &str) -> Option<i128> {
    // `unsignedLong` exceeds i64: digits only, then i128.
    if let Ok(i) = Integer::from_str(lexical) {
        return Some(i128::from(i64::from(i)));
    }
    let digits = lexical.strip_prefix('+').unwrap_or(lexical);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        return digits.parse::<i128>().ok();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::is_valid;

    fn xsd(local: &str) -> String {
        format!("http://www.w3.org/2001/XMLSchema#{local}")
    }

    #[test]
    fn decimals_follow_the_xsd_grammar() {
        for good in ["2788000", "0.097", "-1", "+.5", "5.", " 12 "] {
            assert!(is_valid(&xsd("decimal"), good), "{good} is a decimal");
        }
        for bad in ["about two million", "n/a", "1e3", "", ".", "1,000", "1 000"] {
            assert!(!is_valid(&xsd("decimal"), bad), "{bad} is not a decimal");
        }
    }

    #[test]
    fn dates_must_exist_in_the_calendar() {
        assert!(is_valid(&xsd("date"), "2024-02-29"));
        assert!(!is_valid(&xsd("date"), "2022-02-30"));
        assert!(!is_valid(&xsd("date"), "2023-02-29"));
        assert!(!is_valid(&xsd("date"), "2025-13-01"));
        assert!(!is_valid(&xsd("date"), "2025"));
    }

    #[test]
    fn integers_durations_and_subtype_ranges() {
        assert!(is_valid(&xsd("integer"), "11"));
        assert!(!is_valid(&xsd("integer"), "1.0"));
        assert!(is_valid(&xsd("duration"), "P4Y"));
        assert!(!is_valid(&xsd("duration"), "P4"));
        assert!(!is_valid(&xsd("duration"), "four years"));
        assert!(is_valid(&xsd("positiveInteger"), "1"));
        assert!(!is_valid(&xsd("positiveInteger"), "0"));
        assert!(!is_valid(&xsd("byte"), "128"));
        assert!(is_valid(&xsd("unsignedLong"), "18446744073709551615"));
        assert!(!is_valid(&xsd("boolean"), "yes"));
    }

    #[test]
    fn unknown_datatypes_are_accepted() {
        assert!(is_valid(
            "http://www.opengis.net/ont/geosparql#wktLiteral",
            "POINT(1 2)"
        ));
        assert!(is_valid(&xsd("string"), "anything at all"));
    }
}
