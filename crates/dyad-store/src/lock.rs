//! One writer per data directory, and store files private to their owner.
//!
//! Writers (`dyad ingest`, `watch`, `demo`, `commitments update`) take [`WriterLock`], an
//! advisory lock on `<data dir>/dyad.lock`, before touching the store or the index. A second
//! writer waits for the first (the caller is told who holds it, to say so); readers never take
//! it. The operating system releases the lock when its holder exits, however it exits (a
//! `kill -9` included), so a stale lock file never blocks anyone.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use crate::StoreError;

/// The lock file's name inside the data directory.
pub const LOCK_FILE: &str = "dyad.lock";

/// The writer lock of a data directory, held until dropped.
#[derive(Debug)]
pub struct WriterLock {
    file: File,
    path: PathBuf,
}

/// What [`WriterLock::try_acquire`] found.
#[derive(Debug)]
pub enum TryLock {
    Acquired(WriterLock),
    /// Another process holds it; its pid, when it wrote one.
    Busy(Option<u32>),
}

impl WriterLock {
    /// Takes the lock, waiting for the writer that holds it; `on_wait` is called once, with the
    /// holder's pid when known, before waiting. Creates the data directory (private) if needed.
    pub fn acquire(
        data_dir: &Path,
        on_wait: impl FnOnce(Option<u32>),
    ) -> Result<WriterLock, StoreError> {
        match WriterLock::try_acquire(data_dir)? {
            TryLock::Acquired(lock) => Ok(lock),
            TryLock::Busy(pid) => {
                on_wait(pid);
                let (file, path) = open_lock_file(data_dir)?;
                file.lock().map_err(|source| StoreError::Lock {
                    path: path.clone(),
                    source,
                })?;
                WriterLock { file, path }.stamped()
            }
        }
    }

    /// Takes the lock if nobody holds it; never waits.
    pub fn try_acquire(data_dir: &Path) -> Result<TryLock, StoreError> {
        let (mut file, path) = open_lock_file(data_dir)?;
        match file.try_lock() {
            Ok(()) => Ok(TryLock::Acquired(WriterLock { file, path }.stamped()?)),
            Err(TryLockError::WouldBlock) => {
                let mut text = String::new();
                // The holder's pid is a courtesy for the message: unreadable means unknown.
                let pid = file
                    .read_to_string(&mut text)
                    .ok()
                    .and_then(|_| text.trim().parse().ok());
                Ok(TryLock::Busy(pid))
            }
            Err(TryLockError::Error(source)) => Err(StoreError::Lock { path, source }),
        }
    }

    /// Writes this process's id into the lock file, for the message of whoever waits.
    fn stamped(mut self) -> Result<WriterLock, StoreError> {
        let path = self.path.clone();
        let io = |source| StoreError::Lock {
            path: path.clone(),
            source,
        };
        self.file.set_len(0).map_err(io)?;
        self.file.seek(SeekFrom::Start(0)).map_err(io)?;
        writeln!(self.file, "{}", std::process::id()).map_err(io)?;
        Ok(self)
    }

    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

fn open_lock_file(data_dir: &Path) -> Result<(File, PathBuf), StoreError> {
    create_private_dir(data_dir)?;
    let path = data_dir.join(LOCK_FILE);
    let mut options = OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options.open(&path).map_err(|source| StoreError::Lock {
        path: path.clone(),
        source,
    })?;
    Ok((file, path))
}

/// Creates `dir` (and missing parents) readable by its owner only (0700 on Unix, whatever the
/// umask). A folder that already exists is left as it is: it may be the user's.
pub fn create_private_dir(dir: &Path) -> Result<(), StoreError> {
    if dir.is_dir() {
        return Ok(());
    }
    let err = |source| StoreError::CreateDir {
        path: dir.to_path_buf(),
        source,
    };
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
    b.create(dir).map_err(err)?;
    // The mode given to mkdir is reduced by the umask; set it outright.
    set_mode(dir, 0o700).map_err(err)
}

/// Sets the permission bits of `path` (Unix; elsewhere nothing).
pub fn set_mode(path: &Path, mode: u32) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
    }
    #[cfg(not(unix))]
    {
        let _ = (path, mode);
        Ok(())
    }
}
