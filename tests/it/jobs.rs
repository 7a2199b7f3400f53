//! Refresh jobs in the store, on SQLite and PostgreSQL: one job at a time
//! that a second request joins, a project read already in it is read again
//! when asked, a claim that outlived its lease cannot end a later one, and
//! a job reads as none to someone who sees none of its projects.

use crate::common::*;
use composition_admin::domain::StaffId;
use composition_admin::store::{FleetScope, ItemEnd, Store};

fn ids(names: &[&str]) -> Vec<String> {
    names.iter().map(|n| n.to_string()).collect()
}

#[test]
fn a_second_request_joins_the_running_job_and_queues_what_it_read_again() {
    on_runtime(async {
        for url in test_databases().await {
            let store = Store::open(&url).await.unwrap();
            let (job, added) = store
                .queue_refresh("ana", 100, &ids(&["a", "b"]))
                .await
                .unwrap();
            assert_eq!(added, 2, "{url}");
            let claimed = store.claim("one", 100, 130, 10).await.unwrap();
            assert_eq!(claimed.len(), 2, "{url}");
            let a = claimed.iter().find(|c| c.project_id == "a").unwrap();
            assert!(store
                .finish_item(a, "one", &ItemEnd::Done, 101)
                .await
                .unwrap());
            assert!(
                !store.close_job_if_done(101).await.unwrap(),
                "b still runs: {url}"
            );

            // bo asks for a (done) and c (new): the same job, both queued.
            let (joined, added) = store
                .queue_refresh("bo", 102, &ids(&["a", "c"]))
                .await
                .unwrap();
            assert_eq!((joined.as_str(), added), (job.as_str(), 2), "{url}");
            let progress = store
                .job_progress(None, &FleetScope::Everything)
                .await
                .unwrap()
                .unwrap();
            assert_eq!(
                (
                    progress.queued,
                    progress.running,
                    progress.done,
                    progress.started_by.as_str()
                ),
                (2, 1, 0, "ana"),
                "{url}"
            );
            // Someone who sees none of its projects sees no job.
            let stranger: StaffId = "nobody".parse().unwrap();
            assert_eq!(
                store
                    .job_progress(None, &FleetScope::AssignedTo(&stranger))
                    .await
                    .unwrap(),
                None,
                "{url}"
            );

            // b's claim outlives its lease; a later claim takes it over and
            // the first can no longer end it.
            let b = claimed
                .iter()
                .find(|c| c.project_id == "b")
                .unwrap()
                .clone();
            let again = store.claim("one", 200, 230, 10).await.unwrap();
            let b_again = again.iter().find(|c| c.project_id == "b").unwrap();
            assert_eq!(b_again.attempt, b.attempt + 1, "{url}");
            assert!(
                !store
                    .finish_item(&b, "one", &ItemEnd::Failed("late".into()), 201)
                    .await
                    .unwrap(),
                "{url}"
            );
            for item in &again {
                assert!(
                    store
                        .finish_item(item, "one", &ItemEnd::Done, 202)
                        .await
                        .unwrap(),
                    "{url}"
                );
            }
            assert!(store.close_job_if_done(203).await.unwrap(), "{url}");
            let ended = store
                .job_progress(Some(&job), &FleetScope::Everything)
                .await
                .unwrap()
                .unwrap();
            assert_eq!(
                (ended.done, ended.failed, ended.finished_at),
                (3, 0, Some(203)),
                "{url}"
            );

            // The next request starts a job of its own.
            let (next, _) = store.queue_refresh("ana", 300, &ids(&["a"])).await.unwrap();
            assert_ne!(next, job, "{url}");
        }
    })
}

/// The schedule queues read projects again while a pass runs; a project
/// queued before them must still come first, whatever its id.
#[test]
fn items_are_claimed_in_the_order_they_were_queued_not_by_id() {
    on_runtime(async {
        for url in test_databases().await {
            let store = Store::open(&url).await.unwrap();
            store
                .queue_refresh("the schedule", 100, &ids(&["a", "z"]))
                .await
                .unwrap();
            let first = store.claim("one", 100, 130, 1).await.unwrap();
            assert_eq!(first[0].project_id, "a", "{url}");
            assert!(store
                .finish_item(&first[0], "one", &ItemEnd::Done, 101)
                .await
                .unwrap());
            // a is queued again later, and b joins: z waited longest.
            store
                .queue_refresh("the schedule", 102, &ids(&["a", "b"]))
                .await
                .unwrap();
            let order: Vec<String> = {
                let mut order = Vec::new();
                for _ in 0..3 {
                    let claimed = store.claim("one", 103, 130, 1).await.unwrap();
                    order.push(claimed[0].project_id.clone());
                }
                order
            };
            assert_eq!(order, ["z", "a", "b"], "{url}");
        }
    })
}
