//! What a file really is, from its first bytes (magic numbers), not its name or declared type, and which
//! declared types each kind of media accepts. Hand-rolled: a dozen signatures, no dependency.

use crate::MediaType;

/// A container or format recognised by its signature.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Format {
    Png,
    Jpeg,
    Gif,
    Webp,
    /// ISO base media (MP4, MOV, M4A): `ftyp` with its major brand.
    IsoMedia([u8; 4]),
    /// Matroska / WebM.
    Ebml,
    Mp3,
    Wav,
    Ogg,
    Pdf,
    /// ZIP: the container of Office Open XML documents.
    Zip,
}

impl Format {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Png => "png",
            Self::Jpeg => "jpeg",
            Self::Gif => "gif",
            Self::Webp => "webp",
            Self::IsoMedia(brand) if &brand == b"qt  " => "quicktime",
            Self::IsoMedia(_) => "mp4",
            Self::Ebml => "webm",
            Self::Mp3 => "mp3",
            Self::Wav => "wav",
            Self::Ogg => "ogg",
            Self::Pdf => "pdf",
            Self::Zip => "zip",
        }
    }
}

/// The format `head` (the file's first bytes) starts with, if it is one we know.
pub(crate) fn sniff(head: &[u8]) -> Option<Format> {
    let at = |offset: usize, magic: &[u8]| head.get(offset..offset + magic.len()) == Some(magic);
    Some(if at(0, b"\x89PNG\r\n\x1a\n") {
        Format::Png
    } else if at(0, b"\xff\xd8\xff") {
        Format::Jpeg
    } else if at(0, b"GIF87a") || at(0, b"GIF89a") {
        Format::Gif
    } else if at(0, b"RIFF") && at(8, b"WEBP") {
        Format::Webp
    } else if at(0, b"RIFF") && at(8, b"WAVE") {
        Format::Wav
    } else if at(4, b"ftyp") {
        let mut brand = [0u8; 4];
        brand.copy_from_slice(head.get(8..12)?);
        Format::IsoMedia(brand)
    } else if at(0, b"\x1a\x45\xdf\xa3") {
        Format::Ebml
    } else if at(0, b"ID3") || (head.len() >= 2 && head[0] == 0xff && head[1] & 0xe0 == 0xe0) {
        Format::Mp3
    } else if at(0, b"OggS") {
        Format::Ogg
    } else if at(0, b"%PDF-") {
        Format::Pdf
    } else if at(0, b"PK\x03\x04") {
        Format::Zip
    } else {
        return None;
    })
}

/// The declared content types each media type accepts, with the formats that may carry them.
const ACCEPTED: &[(MediaType, &str, &[&str])] = &[
    (MediaType::Image, "image/png", &["png"]),
    (MediaType::Image, "image/jpeg", &["jpeg"]),
    (MediaType::Image, "image/gif", &["gif"]),
    (MediaType::Image, "image/webp", &["webp"]),
    (MediaType::Video, "video/mp4", &["mp4"]),
    (MediaType::Video, "video/quicktime", &["quicktime", "mp4"]),
    (MediaType::Video, "video/webm", &["webm"]),
    (MediaType::Audio, "audio/mpeg", &["mp3"]),
    (MediaType::Audio, "audio/mp4", &["mp4"]),
    (MediaType::Audio, "audio/wav", &["wav"]),
    (MediaType::Audio, "audio/ogg", &["ogg"]),
    (MediaType::Audio, "audio/webm", &["webm"]),
    (MediaType::Document, "application/pdf", &["pdf"]),
    (MediaType::Document, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", &["zip"]),
    (MediaType::Document, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", &["zip"]),
    (MediaType::Document, "application/vnd.openxmlformats-officedocument.presentationml.presentation", &["zip"]),
];

/// The content types a media type accepts.
pub(crate) fn accepted(kind: MediaType) -> Vec<&'static str> {
    ACCEPTED.iter().filter(|(k, _, _)| *k == kind).map(|(_, mime, _)| *mime).collect()
}

/// Every content type some media type accepts, each once.
pub(crate) fn all_accepted() -> Vec<&'static str> {
    ACCEPTED.iter().map(|(_, mime, _)| *mime).collect()
}

/// Largest upload of each media type, in bytes.
pub(crate) fn max_size(kind: MediaType) -> u64 {
    const MB: u64 = 1024 * 1024;
    match kind {
        MediaType::Image => 20 * MB,
        MediaType::Video => 500 * MB,
        MediaType::Audio => 100 * MB,
        MediaType::Document => 50 * MB,
    }
}

/// Checks that `head` really is a `declared` file: the format found must be one that content type comes in.
pub(crate) fn verify(declared: &str, head: &[u8]) -> Result<Format, String> {
    let found =
        sniff(head).ok_or_else(|| format!("the file is not {declared}: its content matches no known format"))?;
    let fits = ACCEPTED.iter().any(|(_, mime, formats)| *mime == declared && formats.contains(&found.name()));
    if fits { Ok(found) } else { Err(format!("the file is {}, not {declared}", found.name())) }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

    #[test]
    fn signatures() {
        assert_eq!(sniff(PNG), Some(Format::Png));
        assert_eq!(sniff(b"\xff\xd8\xff\xe0\0\x10JFIF"), Some(Format::Jpeg));
        assert_eq!(sniff(b"GIF89a\x01\0"), Some(Format::Gif));
        assert_eq!(sniff(b"RIFF\x24\0\0\0WEBPVP8 "), Some(Format::Webp));
        assert_eq!(sniff(b"RIFF\x24\0\0\0WAVEfmt "), Some(Format::Wav));
        assert_eq!(sniff(b"\0\0\0\x20ftypisom\0\0\x02\0"), Some(Format::IsoMedia(*b"isom")));
        assert_eq!(sniff(b"\0\0\0\x14ftypqt  ").map(Format::name), Some("quicktime"));
        assert_eq!(sniff(b"\x1a\x45\xdf\xa3\x9f"), Some(Format::Ebml));
        assert_eq!(sniff(b"ID3\x04\0"), Some(Format::Mp3));
        assert_eq!(sniff(b"\xff\xfb\x90\x64"), Some(Format::Mp3));
        assert_eq!(sniff(b"OggS\0\x02"), Some(Format::Ogg));
        assert_eq!(sniff(b"%PDF-1.7\n"), Some(Format::Pdf));
        assert_eq!(sniff(b"PK\x03\x04\x14\0"), Some(Format::Zip));
        assert_eq!(sniff(b"hello, world"), None);
        assert_eq!(sniff(b""), None);
        assert_eq!(sniff(b"\0\0\0\x20ftyp"), None, "a truncated brand");
    }

    #[test]
    fn declared_types_must_match_the_content() {
        assert_eq!(verify("image/png", PNG), Ok(Format::Png));
        assert!(verify("image/png", b"just some text, named .png").unwrap_err().contains("no known format"));
        assert!(verify("image/jpeg", PNG).unwrap_err().contains("is png"));
        assert!(verify("video/quicktime", b"\0\0\0\x20ftypisom").is_ok());
        assert!(verify("audio/mp4", b"\0\0\0\x20ftypM4A ").is_ok());
        assert!(verify("application/pdf", b"PK\x03\x04").is_err());
        assert!(verify("application/x-msdownload", b"MZ\x90\0").is_err());
    }

    #[test]
    fn every_media_type_accepts_something() {
        for kind in MediaType::ALL {
            assert!(!accepted(kind).is_empty());
            assert!(max_size(kind) > 0);
        }
        assert!(accepted(MediaType::Image).contains(&"image/webp"));
        assert!(!accepted(MediaType::Image).contains(&"application/pdf"));
    }
}
