//! Group commit for SQLite's single writer. Every commit waits for the disk
//! (synchronous = FULL), so writes that queue while one commit syncs are
//! run together in the next transaction, each inside its own savepoint, and
//! committed with one sync. A write's caller hears back only after that
//! commit: an entry is durable before its outcome is shown. A write that
//! fails is rolled back to its savepoint alone; the others still commit.

use futures_util::future::BoxFuture;
use sqlx::{AnyConnection, AnyPool, Connection};
use tokio::sync::{mpsc, oneshot};

/// The most writes one commit takes; the rest wait for the next.
const MOST: usize = 64;

/// What a write does on the connection it is given, inside a transaction.
pub(crate) type WriteFn<T> =
    Box<dyn for<'c> FnOnce(&'c mut AnyConnection) -> BoxFuture<'c, Result<T, sqlx::Error>> + Send>;

/// Called with the commit's outcome, once the batch is committed or not.
type Finish = Box<dyn FnOnce(Result<(), String>) + Send>;

/// A write with its type erased, given the connection or why there is
/// none; `None` when it failed (its caller has been told already).
type Queued = Box<
    dyn for<'c> FnOnce(Result<&'c mut AnyConnection, String>) -> BoxFuture<'c, Option<Finish>>
        + Send,
>;

/// The queue in front of the writer; cheap to clone.
#[derive(Clone, Debug)]
pub(crate) struct Group {
    queue: mpsc::UnboundedSender<Queued>,
}

impl Group {
    /// Starts the task that commits for `writer` (a pool of one).
    pub(crate) fn start(writer: AnyPool) -> Self {
        let (queue, waiting) = mpsc::unbounded_channel();
        tokio::spawn(run(writer, waiting));
        Self { queue }
    }

    /// Runs `write` in the next batch; its result once that batch is
    /// committed (or the commit's failure).
    pub(crate) async fn write<T: Send + 'static>(
        &self,
        write: WriteFn<T>,
    ) -> Result<T, sqlx::Error> {
        let (tell, told) = oneshot::channel::<Result<T, sqlx::Error>>();
        let queued: Queued = Box::new(move |conn| {
            Box::pin(async move {
                let conn = match conn {
                    Ok(conn) => conn,
                    Err(why) => {
                        let _ = tell.send(Err(stopped(why)));
                        return None;
                    }
                };
                match write(conn).await {
                    Ok(value) => Some(Box::new(move |committed: Result<(), String>| {
                        let _ = tell.send(committed.map(|()| value).map_err(stopped));
                    }) as Finish),
                    Err(e) => {
                        let _ = tell.send(Err(e));
                        None
                    }
                }
            })
        });
        self.queue
            .send(queued)
            .map_err(|_| stopped("the database writer stopped".into()))?;
        told.await
            .unwrap_or_else(|_| Err(stopped("the database writer stopped".into())))
    }
}

/// A commit that failed, for each write of its batch (sqlx's errors are
/// not `Clone`); counted as the database being unavailable.
fn stopped(message: String) -> sqlx::Error {
    sqlx::Error::Io(std::io::Error::other(message))
}

async fn run(writer: AnyPool, mut waiting: mpsc::UnboundedReceiver<Queued>) {
    while let Some(first) = waiting.recv().await {
        let mut batch = vec![first];
        while batch.len() < MOST {
            match waiting.try_recv() {
                Ok(next) => batch.push(next),
                Err(_) => break,
            }
        }
        let mut finishes = Vec::with_capacity(batch.len());
        let committed = commit(&writer, batch, &mut finishes).await;
        let committed = committed.map_err(|e| e.to_string());
        for finish in finishes {
            finish(committed.clone());
        }
    }
}

/// One transaction for the batch, a savepoint per write.
async fn commit(
    writer: &AnyPool,
    batch: Vec<Queued>,
    finishes: &mut Vec<Finish>,
) -> Result<(), sqlx::Error> {
    let mut batch = batch.into_iter();
    let mut conn = match writer.acquire().await {
        Ok(conn) => conn,
        Err(e) => return Err(tell_all(batch, e).await),
    };
    let mut tx = match conn.begin().await {
        Ok(tx) => tx,
        Err(e) => return Err(tell_all(batch, e).await),
    };
    while let Some(write) = batch.next() {
        let mut savepoint = match tx.begin().await {
            Ok(savepoint) => savepoint,
            Err(e) => return Err(tell_all(batch, e).await),
        };
        let done = write(Ok(&mut *savepoint)).await;
        // A failed statement may have ended the whole transaction (SQLite
        // does for a full disk): then the savepoint is gone and so is the
        // batch so far.
        let ended = match done {
            Some(finish) => {
                finishes.push(finish);
                savepoint.commit().await
            }
            None => savepoint.rollback().await,
        };
        if let Err(e) = ended {
            return Err(tell_all(batch, e).await);
        }
    }
    tx.commit().await
}

/// Tells the writes not yet run that their batch failed, and why.
async fn tell_all(rest: impl Iterator<Item = Queued>, error: sqlx::Error) -> sqlx::Error {
    let why = format!("the write was not run: {error}");
    for write in rest {
        write(Err(why.clone())).await;
    }
    error
}
