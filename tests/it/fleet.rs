//! The fleet query on SQLite and PostgreSQL, held to an in-memory model of
//! the same rules: every filter, search, sort and page a random view can
//! ask for gives the rows the model gives, with the access rules applied in
//! the query. And the change history's credit: an audit entry names who
//! made a change, no entry makes it "outside the console".

use crate::common::*;
use composition_admin::domain::audit::{AuditEntry, AuditOutcome};
use composition_admin::domain::fleet::{
    Flag, FleetFilter, FleetQuery, FleetRow, SortKey, STALE_AFTER_SECONDS,
};
use composition_admin::domain::{ProjectId, Role, SettingsKind};
use composition_admin::store::{FleetScope, SettingsState, StaffRow, Store};

/// A small deterministic generator (xorshift), so a failure repeats.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

const NOW: i64 = 1_800_000_000;
const WORDS: [&str; 6] = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot"];

fn state(rng: &mut Rng) -> SettingsState {
    let encrypted = rng.chance(50);
    let s3 = rng.chance(40);
    SettingsState {
        friendly_name: Some("settings".into()),
        encryption_enabled: encrypted,
        encryption_key_sid: encrypted.then(|| "CR00000000000000000000000000000001".into()),
        storage_enabled: s3,
        aws_credentials_sid: s3.then(|| "CR00000000000000000000000000000002".into()),
        aws_s3_url: s3.then(|| "https://b.s3.amazonaws.com/x".into()),
        missing: if rng.chance(8) {
            vec!["CR00000000000000000000000000000001".into()]
        } else {
            Vec::new()
        },
        ..SettingsState::default()
    }
}

/// Sixty projects in every state the fleet tells apart.
async fn seed(store: &Store, rng: &mut Rng) {
    for i in 0..60u32 {
        let id = format!("p{i:02}");
        let name = format!("{}{:02}", WORDS[rng.below(6) as usize], rng.below(100));
        insert_plain_project(store, &id, &name, &format!("AC{:032x}", 0x1000 + i)).await;
        let project: ProjectId = id.parse().unwrap();
        for kind in [SettingsKind::Composition, SettingsKind::Recording] {
            let at = NOW - rng.below(3 * 86_400) as i64;
            match rng.below(6) {
                0 => {} // never read
                1 => {
                    // read, then failed
                    store
                        .record_read(&project, kind, at - 10, Ok(&state(rng)), None)
                        .await
                        .unwrap();
                    store
                        .record_read(
                            &project,
                            kind,
                            at,
                            Err("Twilio error 20003: Authenticate"),
                            None,
                        )
                        .await
                        .unwrap();
                }
                2 => {
                    store
                        .record_read(&project, kind, at, Err("Twilio did not answer"), None)
                        .await
                        .unwrap();
                }
                3 => {
                    // changed outside the console after a first read
                    let first = state(rng);
                    let mut then = first.clone();
                    then.encryption_enabled = !first.encryption_enabled;
                    then.encryption_key_sid = then
                        .encryption_enabled
                        .then(|| "CR00000000000000000000000000000003".into());
                    store
                        .record_read(&project, kind, at - 100, Ok(&first), None)
                        .await
                        .unwrap();
                    store
                        .record_read(&project, kind, at, Ok(&then), None)
                        .await
                        .unwrap();
                }
                _ => {
                    store
                        .record_read(&project, kind, at, Ok(&state(rng)), None)
                        .await
                        .unwrap();
                }
            }
        }
    }
}

/// The model: the rules of the view, applied to every row in memory; the
/// page's ids (10 a page) and how many match in all.
fn model(all: &[FleetRow], query: &FleetQuery, allowed: Option<&[String]>) -> (Vec<String>, usize) {
    let search = query.filter.search.to_lowercase();
    let stale = |at: Option<i64>| at.is_none_or(|at| at < NOW - STALE_AFTER_SECONDS);
    let mut rows: Vec<&FleetRow> = all
        .iter()
        .filter(|r| allowed.is_none_or(|a| a.contains(&r.id)))
        .filter(|r| {
            search.is_empty()
                || r.name.to_lowercase().contains(&search)
                || r.account_sid.to_lowercase().contains(&search)
        })
        .filter(|r| {
            let cells = [&r.composition, &r.recording];
            query.filter.flags.iter().all(|flag| match flag {
                Flag::Unencrypted => cells
                    .iter()
                    .any(|c| c.state.as_ref().is_some_and(|s| !s.encryption_enabled)),
                Flag::Cloud => cells
                    .iter()
                    .any(|c| c.state.as_ref().is_some_and(|s| !s.storage_enabled)),
                Flag::Problem => !r.problems().is_empty(),
                Flag::Stale => cells.iter().any(|c| stale(c.read_at)),
                Flag::Outside => cells.iter().any(|c| c.outside),
                Flag::Drifted => cells.iter().any(|c| c.drift.is_some_and(|d| d > 0)),
            })
        })
        .collect();
    let key = |r: &FleetRow| -> (i64, String) {
        let flag = |c: &composition_admin::domain::fleet::KindCell,
                    pick: fn(&SettingsState) -> bool| {
            c.state.as_ref().map_or(-1, |s| i64::from(pick(s)))
        };
        let text = |s: &str| (0, s.to_owned());
        match query.sort {
            SortKey::Name => text(&r.name.to_lowercase()),
            SortKey::Account => text(&r.account_sid),
            SortKey::CompositionEncryption => (
                flag(&r.composition, |s| s.encryption_enabled),
                String::new(),
            ),
            SortKey::CompositionStorage => {
                (flag(&r.composition, |s| s.storage_enabled), String::new())
            }
            SortKey::RecordingEncryption => {
                (flag(&r.recording, |s| s.encryption_enabled), String::new())
            }
            SortKey::RecordingStorage => (flag(&r.recording, |s| s.storage_enabled), String::new()),
            SortKey::Read => (
                r.composition
                    .read_at
                    .unwrap_or(0)
                    .min(r.recording.read_at.unwrap_or(0)),
                String::new(),
            ),
            SortKey::Changed => (
                r.composition
                    .changed_at
                    .unwrap_or(0)
                    .max(r.recording.changed_at.unwrap_or(0)),
                String::new(),
            ),
            SortKey::Problem => (i64::from(r.problems().is_empty()), String::new()),
        }
    };
    rows.sort_by(|a, b| {
        let order =
            (key(a), a.name.to_lowercase(), &a.id).cmp(&(key(b), b.name.to_lowercase(), &b.id));
        if query.descending {
            order.reverse()
        } else {
            order
        }
    });
    let total = rows.len();
    let page = rows
        .into_iter()
        .skip((query.page - 1) * 10)
        .take(10)
        .map(|r| r.id.clone())
        .collect();
    (page, total)
}

fn random_query(rng: &mut Rng) -> FleetQuery {
    let flags = Flag::ALL.into_iter().filter(|_| rng.chance(25)).collect();
    let search = match rng.below(4) {
        0 => WORDS[rng.below(6) as usize][..3].to_uppercase(),
        1 => format!("{:x}", 0x1000 + rng.below(60)),
        _ => String::new(),
    };
    FleetQuery {
        filter: FleetFilter { search, flags },
        sort: SortKey::ALL[rng.below(SortKey::ALL.len() as u64) as usize],
        descending: rng.chance(50),
        page: 1 + rng.below(4) as usize,
    }
}

#[test]
fn the_fleet_query_filters_sorts_and_pages_as_the_model_does_on_both_databases() {
    on_runtime(async {
        for url in test_databases().await {
            let store = Store::open(&url).await.unwrap();
            let mut rng = Rng(0x5eed_f1ee7);
            seed(&store, &mut rng).await;
            let everything = FleetQuery::default();
            let (all, counts) = store
                .fleet(&everything, &FleetScope::Everything, NOW, 1_000)
                .await
                .unwrap();
            assert_eq!((all.len(), counts.projects), (60, 60), "{url}");
            // The chart's counts are the rows' states.
            let encrypted = all
                .iter()
                .filter(|r| {
                    r.composition
                        .state
                        .as_ref()
                        .is_some_and(|s| s.encryption_enabled)
                })
                .count();
            assert_eq!(counts.composition.encrypted, encrypted, "{url}");
            let problems = all.iter().filter(|r| !r.problems().is_empty()).count();
            assert_eq!(counts.problems, problems, "{url}");
            assert!(problems > 0 && problems < 60, "{url}: the seed has both");
            // A viewer assigned a third of them.
            let viewer = composition_admin::store::new_staff_id();
            store
                .insert_staff(&StaffRow {
                    id: viewer.clone(),
                    name: "vera".into(),
                    password_hash: "x".into(),
                    role: Role::Viewer,
                })
                .await
                .unwrap();
            let assigned: Vec<String> = all.iter().step_by(3).map(|r| r.id.clone()).collect();
            for id in &assigned {
                store.assign(&viewer, &id.parse().unwrap()).await.unwrap();
            }
            for round in 0..150 {
                let query = random_query(&mut rng);
                let own = round % 3 == 0;
                let scope = if own {
                    FleetScope::AssignedTo(&viewer)
                } else {
                    FleetScope::Everything
                };
                let (rows, counts) = store.fleet(&query, &scope, NOW, 10).await.unwrap();
                let got: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
                let allowed = own.then_some(assigned.as_slice());
                let (expected, matching) = model(&all, &query, allowed);
                assert_eq!(got, expected, "{url}: {query:?} (viewer: {own})");
                assert_eq!(counts.projects, matching, "{url}: {query:?}");
                // Every row the view matches, for the export and a refresh.
                let ids = store.fleet_ids(&query.filter, &scope, NOW).await.unwrap();
                assert_eq!(ids.len(), counts.projects, "{url}: {query:?}");
            }
        }
    })
}

#[test]
fn a_change_is_credited_to_whoever_the_audit_trail_names_and_otherwise_to_outside() {
    on_runtime(async {
        for url in test_databases().await {
            let store = Store::open(&url).await.unwrap();
            insert_plain_project(&store, "acme", "Acme", "AC00000000000000000000000000000aaa")
                .await;
            let project: ProjectId = "acme".parse().unwrap();
            let kind = SettingsKind::Composition;
            let plain = SettingsState::default();
            let on = SettingsState {
                encryption_enabled: true,
                encryption_key_sid: Some("CR00000000000000000000000000000001".into()),
                ..SettingsState::default()
            };
            store
                .record_read(&project, kind, 100, Ok(&plain), None)
                .await
                .unwrap();
            // ana saved through the console, but its snapshot was not written.
            store
                .add_audit(
                    &AuditEntry {
                        at: 150,
                        staff: "ana".into(),
                        project: Some("acme".into()),
                        action: "settings-saved".into(),
                        summary: "Composition settings saved".into(),
                        before: None,
                        after: None,
                        outcome: Some(AuditOutcome::Done),
                    },
                    None,
                )
                .await
                .unwrap();
            store
                .record_read(&project, kind, 200, Ok(&on), None)
                .await
                .unwrap();
            let everything = FleetQuery::default();
            let (rows, _) = store
                .fleet(&everything, &FleetScope::Everything, 300, 50)
                .await
                .unwrap();
            let cell = &rows[0].composition;
            assert_eq!(
                (cell.changed_at, cell.changed_by.as_deref(), cell.outside),
                (Some(200), Some("ana"), false),
                "{url}"
            );
            // Switched off at Twilio's console: nobody here did it.
            store
                .record_read(&project, kind, 400, Ok(&plain), None)
                .await
                .unwrap();
            let (rows, _) = store
                .fleet(&everything, &FleetScope::Everything, 500, 50)
                .await
                .unwrap();
            let cell = &rows[0].composition;
            assert_eq!(
                (cell.changed_at, cell.changed_by.as_deref(), cell.outside),
                (Some(400), None, true),
                "{url}"
            );
            assert_eq!(
                rows[0].problems(),
                ["Composition settings changed outside the console"],
                "{url}"
            );
            // A read that names no credentials keeps the names a refresh found.
            let named = SettingsState {
                encryption_key_name: Some("prod".into()),
                ..on.clone()
            };
            store
                .record_read(&project, kind, 600, Ok(&named), Some("ana"))
                .await
                .unwrap();
            assert!(!store
                .record_read(&project, kind, 700, Ok(&on), None)
                .await
                .unwrap());
            let snapshot = store.snapshot(&project, kind).await.unwrap().unwrap();
            assert_eq!(
                snapshot.state.unwrap().encryption_key_name.as_deref(),
                Some("prod"),
                "{url}"
            );
            // The project's page words the same history, newest first.
            let lines = composition_admin::services::snapshots::history(&store, &project, kind)
                .await
                .unwrap();
            let words: Vec<&str> = lines.iter().map(|l| l.words.as_str()).collect();
            assert_eq!(
                words,
                [
                    "Encryption switched on with key prod (CR00000000000000000000000000000001) by ana at 1970-01-01 00:10 UTC",
                    "Encryption switched off outside the console, seen at 1970-01-01 00:06 UTC",
                    "Encryption switched on with key CR00000000000000000000000000000001 by ana at 1970-01-01 00:03 UTC",
                    "First read at 1970-01-01 00:01 UTC: encryption off, storage in Twilio's cloud",
                ],
                "{url}"
            );
        }
    })
}
