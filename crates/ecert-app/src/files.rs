//! Writing files so that a reader never sees half of one: temporary name, sync, rename.

use std::io::Write;
use std::path::Path;

/// Writes `bytes` to `path` atomically: to a temporary file in the same folder, synced to
/// disk, then renamed over `path`. A crash leaves either the old file or the new one.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let folder = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut temporary = tempfile::NamedTempFile::new_in(folder)?;
    temporary.write_all(bytes)?;
    temporary.as_file().sync_all()?;
    temporary.persist(path).map_err(|error| error.error)?;
    // The rename is durable only once the folder's entry is on disk too.
    std::fs::File::open(folder)?.sync_all()
}

/// Removes temporary files older than `age` that [`write_atomically`] left in `folder` when
/// its process was killed between writing and renaming. Younger ones may belong to a write
/// in progress in another process sharing the folder, and are left alone.
pub fn remove_stale_temporaries(folder: &Path, age: std::time::Duration) -> std::io::Result<usize> {
    let mut removed = 0;
    for entry in std::fs::read_dir(folder)? {
        let entry = entry?;
        let stale = entry.file_name().to_string_lossy().starts_with(".tmp")
            && entry
                .metadata()?
                .modified()?
                .elapsed()
                .is_ok_and(|elapsed| elapsed > age);
        if stale {
            std::fs::remove_file(entry.path())?;
            removed += 1;
        }
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_replaced_whole_and_no_temporary_file_is_left() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("cert.pdf");
        write_atomically(&path, b"first").unwrap();
        write_atomically(&path, b"second").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"second");
        assert_eq!(std::fs::read_dir(folder.path()).unwrap().count(), 1);
    }
}
