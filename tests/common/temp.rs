//! Temporary folders for the tests, removed when the tests are done with them.

/// A folder of its own under the system's temporary folder, removed with
/// everything in it when dropped, even when the test fails.
pub struct TestDir(std::path::PathBuf);

impl TestDir {
    pub fn new(prefix: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("{prefix}-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }
}

impl std::ops::Deref for TestDir {
    type Target = std::path::Path;
    fn deref(&self) -> &std::path::Path {
        &self.0
    }
}

impl AsRef<std::path::Path> for TestDir {
    fn as_ref(&self) -> &std::path::Path {
        &self.0
    }
}

impl Drop for TestDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The database URLs of [`super::test_databases`], SQLite first. The SQLite
/// file's folder is removed once they and their iterator are dropped.
pub struct Databases {
    urls: Vec<String>,
    dir: TestDir,
}

impl Databases {
    /// `urls` with the SQLite one first, its file in `dir`.
    pub fn new(urls: Vec<String>, dir: TestDir) -> Self {
        Self { urls, dir }
    }

    pub fn sqlite(&self) -> &str {
        &self.urls[0]
    }
}

impl IntoIterator for Databases {
    type Item = String;
    type IntoIter = DatabaseUrls;
    fn into_iter(self) -> DatabaseUrls {
        DatabaseUrls {
            urls: self.urls.into_iter(),
            _dir: self.dir,
        }
    }
}

/// The URLs one by one; holds the SQLite folder until the loop ends.
pub struct DatabaseUrls {
    urls: std::vec::IntoIter<String>,
    _dir: TestDir,
}

impl Iterator for DatabaseUrls {
    type Item = String;
    fn next(&mut self) -> Option<String> {
        self.urls.next()
    }
}
