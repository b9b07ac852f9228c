//! Reading an uploaded image: its dimensions from the header (no decoding), and a PNG thumbnail that fits
//! [`THUMBNAIL_EDGE`] on its longer side. Pixels are decoded only for images up to [`MAX_PIXELS`], so a
//! 20 MB upload declaring a 100,000 × 100,000 canvas cannot exhaust the function's memory.

use image::{ImageFormat, ImageReader, Limits};
use std::io::Cursor;

pub(crate) const THUMBNAIL_EDGE: u32 = 320;
/// Largest image decoded for a thumbnail (RGBA: 4 bytes a pixel, so at most 128 MiB decoded).
pub(crate) const MAX_PIXELS: u64 = 32_000_000;

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub(crate) enum InspectError {
    #[error("the image cannot be read: {0}")]
    Unreadable(String),
}

/// Width and height from the image's header.
pub(crate) fn dimensions(bytes: &[u8]) -> Result<(u32, u32), InspectError> {
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| InspectError::Unreadable(e.to_string()))?;
    reader.into_dimensions().map_err(|e| InspectError::Unreadable(e.to_string()))
}

/// A PNG thumbnail of the image, or `None` when it is too large to decode here.
pub(crate) fn thumbnail(bytes: &[u8], (width, height): (u32, u32)) -> Result<Option<Vec<u8>>, InspectError> {
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Ok(None);
    }
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| InspectError::Unreadable(e.to_string()))?;
    let mut limits = Limits::default();
    limits.max_alloc = Some(MAX_PIXELS * 4 + 16 * 1024 * 1024);
    reader.limits(limits);
    let image = reader.decode().map_err(|e| InspectError::Unreadable(e.to_string()))?;
    let small = image.thumbnail(THUMBNAIL_EDGE, THUMBNAIL_EDGE);
    let mut out = Cursor::new(Vec::new());
    small.write_to(&mut out, ImageFormat::Png).map_err(|e| InspectError::Unreadable(e.to_string()))?;
    Ok(Some(out.into_inner()))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use image::{Rgb, RgbImage};

    /// A real PNG of `w` × `h` pixels.
    pub(crate) fn png(w: u32, h: u32) -> Vec<u8> {
        let img = RgbImage::from_fn(w, h, |x, y| Rgb([(x % 256) as u8, (y % 256) as u8, 128]));
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, ImageFormat::Png).unwrap();
        out.into_inner()
    }

    #[test]
    fn dimensions_and_a_fitting_thumbnail() {
        let bytes = png(800, 400);
        assert_eq!(dimensions(&bytes), Ok((800, 400)));
        let thumb = thumbnail(&bytes, (800, 400)).unwrap().unwrap();
        assert_eq!(dimensions(&thumb), Ok((320, 160)));
        assert!(crate::sniff::verify("image/png", &thumb).is_ok());
    }

    #[test]
    fn garbage_and_giants() {
        assert!(dimensions(b"not an image").is_err());
        let mut truncated = png(10, 10);
        truncated.truncate(40);
        assert!(thumbnail(&truncated, (10, 10)).is_err());
        assert_eq!(thumbnail(&png(2, 2), (100_000, 100_000)), Ok(None));
    }
}
