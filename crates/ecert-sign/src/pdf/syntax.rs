//! Just enough PDF syntax to append an update to ecert's own PDFs: the trailer, the classic
//! cross-reference table, one object's dictionary, and a reference under a key.
//!
//! Assumptions (ecert's renderer, krilla, writes files like this; anything else is refused
//! rather than guessed at): a classic `xref` table (no cross-reference stream, no object
//! streams), objects of generation 0, and keys looked up at the top level of small
//! dictionaries that hold no strings containing the key names.

use std::collections::HashMap;

use crate::SignError;

/// What the update needs from the newest trailer.
#[derive(Debug)]
pub(crate) struct Trailer {
    /// Offset of the newest cross-reference section (the update's `/Prev`).
    pub(crate) xref_offset: usize,
    /// The number of the first unused object.
    pub(crate) size: u32,
    /// The catalog.
    pub(crate) root: u32,
    /// The raw `/Info` reference, copied into the update's trailer.
    pub(crate) info: Option<u32>,
    /// The raw `/ID` array, copied unchanged.
    pub(crate) id: Option<String>,
    /// Where each object in use starts, over all sections (the newest wins).
    pub(crate) offsets: HashMap<u32, usize>,
}

fn bad(what: &str) -> SignError {
    SignError::Document(what.into())
}

/// Reads the trailer chain from the last `startxref`.
pub(crate) fn trailer(pdf: &[u8]) -> Result<Trailer, SignError> {
    let xref_offset = startxref(pdf)?;
    let mut offsets = HashMap::new();
    let mut section = Some(xref_offset);
    let mut newest = None;
    // Each /Prev must point backwards, so a loop in a forged file cannot run forever.
    let mut limit = xref_offset + 1;
    while let Some(at) = section.filter(|&at| at < limit) {
        let dict = read_section(pdf, at, &mut offsets)?;
        section = int(dict, b"/Prev");
        limit = at;
        newest.get_or_insert(dict);
    }
    let dict = newest.ok_or_else(|| bad("no trailer"))?;
    Ok(Trailer {
        xref_offset,
        size: int(dict, b"/Size")
            .and_then(|n| u32::try_from(n).ok())
            .ok_or_else(|| bad("trailer without /Size"))?,
        root: reference(dict, b"/Root").ok_or_else(|| bad("trailer without /Root"))?,
        info: reference(dict, b"/Info"),
        id: array_text(dict, b"/ID"),
        offsets,
    })
}

/// The offset after the last `startxref`.
pub(crate) fn startxref(pdf: &[u8]) -> Result<usize, SignError> {
    let at = rfind(pdf, b"startxref").ok_or_else(|| bad("no startxref"))?;
    let mut tokens = Tokens::new(&pdf[at + 9..]);
    tokens
        .next()
        .and_then(number)
        .ok_or_else(|| bad("startxref without an offset"))
}

/// Reads one classic xref section at `at` into `offsets` (older entries do not replace
/// newer ones) and returns its trailer dictionary.
fn read_section<'a>(
    pdf: &'a [u8],
    at: usize,
    offsets: &mut HashMap<u32, usize>,
) -> Result<&'a [u8], SignError> {
    let rest = pdf
        .get(at..)
        .ok_or_else(|| bad("startxref beyond the end"))?;
    if !rest.starts_with(b"xref") {
        return Err(bad(
            "not a classic xref table (a cross-reference stream is not supported)",
        ));
    }
    let mut tokens = Tokens::new(&rest[4..]);
    loop {
        let token = tokens.next().ok_or_else(|| bad("xref table cut short"))?;
        if token == b"trailer" {
            break;
        }
        let first = number(token).ok_or_else(|| bad("bad xref subsection"))?;
        let count = tokens
            .next()
            .and_then(number)
            .ok_or_else(|| bad("bad xref"))?;
        for n in first..first + count {
            let entry = (tokens.next(), tokens.next(), tokens.next());
            let (Some(offset), Some(_), Some(kind)) = entry else {
                return Err(bad("xref entry cut short"));
            };
            let offset = number(offset).ok_or_else(|| bad("bad xref entry"))?;
            let n = u32::try_from(n).map_err(|_| bad("object number too large"))?;
            if kind == b"n" {
                offsets.entry(n).or_insert(offset);
            }
        }
    }
    let start = at + 4 + tokens.position;
    let dict_at = find(&pdf[start..], b"<<").ok_or_else(|| bad("trailer without a dictionary"))?;
    dictionary(&pdf[start + dict_at..]).ok_or_else(|| bad("trailer cut short"))
}

/// The dictionary of object `number` (generation 0), from `<<` to `>>` inclusive.
pub(crate) fn object_dict<'a>(
    pdf: &'a [u8],
    trailer: &Trailer,
    number: u32,
) -> Result<&'a [u8], SignError> {
    let at = *trailer
        .offsets
        .get(&number)
        .ok_or_else(|| bad("an object is missing from the xref table"))?;
    let header = format!("{number} 0 obj");
    let body = pdf.get(at..).filter(|b| b.starts_with(header.as_bytes()));
    let body = body.ok_or_else(|| bad("the xref table does not point at the object"))?;
    let open = find(body, b"<<").ok_or_else(|| bad("the object is not a dictionary"))?;
    dictionary(&body[open..]).ok_or_else(|| bad("a dictionary is cut short"))
}

/// The balanced dictionary at the start of `text` (which begins with `<<`).
pub(crate) fn dictionary(text: &[u8]) -> Option<&[u8]> {
    let mut depth = 0usize;
    let mut i = 0;
    while i < text.len() {
        match text[i] {
            b'(' => i = skip_string(text, i)?,
            b'<' if text.get(i + 1) == Some(&b'<') => {
                depth += 1;
                i += 1;
            }
            b'>' if text.get(i + 1) == Some(&b'>') => {
                depth = depth.checked_sub(1)?;
                i += 1;
                if depth == 0 {
                    return Some(&text[..=i]);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// The index of the `)` closing the literal string that opens at `open`.
pub(crate) fn skip_string(text: &[u8], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = open;
    while i < text.len() {
        match text[i] {
            b'\\' => i += 1,
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// Where the value of `key` starts: after the name, which must end there (so `/Page` does
/// not match `/Pages`).
pub(crate) fn value_of<'a>(dict: &'a [u8], key: &[u8]) -> Option<&'a [u8]> {
    let mut from = 0;
    while let Some(at) = find(&dict[from..], key) {
        let end = from + at + key.len();
        let next = dict.get(end).copied().unwrap_or(b' ');
        if !next.is_ascii_alphanumeric() && next != b'_' && next != b'.' {
            return Some(&dict[end..]);
        }
        from = end;
    }
    None
}

/// The integer under `key`.
pub(crate) fn int(dict: &[u8], key: &[u8]) -> Option<usize> {
    Tokens::new(value_of(dict, key)?).next().and_then(number)
}

/// The object number of the reference `n 0 R` under `key`.
pub(crate) fn reference(dict: &[u8], key: &[u8]) -> Option<u32> {
    first_reference(value_of(dict, key)?)
}

/// The first `n 0 R` at the start of `text`, skipping an opening `[`.
pub(crate) fn first_reference(text: &[u8]) -> Option<u32> {
    let mut tokens = Tokens::new(text);
    let mut n = tokens.next()?;
    if n == b"[" {
        n = tokens.next()?;
    }
    let (generation, r) = (tokens.next()?, tokens.next()?);
    if generation != b"0" || r != b"R" {
        return None;
    }
    u32::try_from(number(n)?).ok()
}

/// The text of the array under `key`, brackets included.
fn array_text(dict: &[u8], key: &[u8]) -> Option<String> {
    let value = value_of(dict, key)?;
    let open = value.iter().position(|&b| b == b'[')?;
    let close = open + value[open..].iter().position(|&b| b == b']')?;
    String::from_utf8(value[open..=close].to_vec()).ok()
}

fn number(token: &[u8]) -> Option<usize> {
    std::str::from_utf8(token).ok()?.parse().ok()
}

pub(crate) fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

pub(crate) fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

/// Whitespace-separated tokens; `[`, `]`, `<<`, `>>` and names split off.
struct Tokens<'a> {
    text: &'a [u8],
    position: usize,
}

impl<'a> Tokens<'a> {
    fn new(text: &'a [u8]) -> Self {
        Self { text, position: 0 }
    }
}

impl<'a> Iterator for Tokens<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        let text = self.text;
        let start = self.position + text[self.position..].iter().position(|b| !is_space(*b))?;
        let delimiter = |b: &u8| is_space(*b) || b"[]<>/".contains(b);
        let len = if delimiter(&text[start]) {
            1
        } else {
            text[start..]
                .iter()
                .position(delimiter)
                .unwrap_or(text.len() - start)
        };
        self.position = start + len;
        Some(&text[start..start + len])
    }
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\n' | b'\r' | b'\t' | b'\x0c' | b'\0')
}
