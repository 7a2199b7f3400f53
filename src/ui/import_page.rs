//! `/imports`: the parent's login, to list its subaccounts; and
//! `/imports/<id>`: what was found, ticked to import (every active one not
//! yet a project, by default), then each subaccount's outcome as it
//! arrives (read again every second, or a reload without JavaScript).

use super::fields::{checked_submit_with, error_for, hydrated, TextField};
use super::loaded::loaded;
use super::notices::ErrorNotice;
use crate::api::imports::{read_import, DiscoverSubaccounts, StartImport};
use crate::api::parents::{list_kept_parents, FindNewSubaccounts, ForgetParent};
use crate::domain::fleet::ago;
use crate::domain::subaccount::{
    ImportItem, ImportOutcome, ImportState, ImportView, KeptParent, KeptParents, ParentInput,
};
use crate::domain::{AppError, Failure, Field, FieldErrors, LoginKind};
use crate::paths;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// Without JavaScript, a running import's page reloads itself.
const RELOAD: &str = r#"<noscript><meta http-equiv="refresh" content="2"></noscript>"#;

fn field_id(field: Field) -> &'static str {
    match field {
        Field::ApiKeySid => "parent-api-key-sid",
        Field::Secret => "parent-secret",
        _ => "parent-account-sid",
    }
}

/// The form as its post carries it, read field by field: decoding it with
/// serde_qs (`checked_submit`) pulled about 26 KB of shared code into the
/// main bundle of a clean build.
fn read_parent(ev: &leptos::ev::SubmitEvent) -> Result<DiscoverSubaccounts, String> {
    use leptos::wasm_bindgen::JsCast;
    let form = ev
        .target()
        .and_then(|t| t.dyn_into::<leptos::web_sys::HtmlFormElement>().ok())
        .ok_or("the form could not be found")?;
    let data = leptos::web_sys::FormData::new_with_form(&form)
        .map_err(|_| "the form's fields could not be read")?;
    let text = |name: &str| data.get(name).as_string().unwrap_or_default();
    Ok(DiscoverSubaccounts {
        input: ParentInput {
            account_sid: text("input[account_sid]"),
            login: text("input[login]"),
            api_key_sid: text("input[api_key_sid]"),
            secret: text("input[secret]"),
            keep: data.get("input[keep]").as_string(),
        },
    })
}

/// `/imports`: for admins, the kept parent logins and the two ways in; for
/// others, why there is nothing here for them.
#[component]
pub fn ImportStartPage() -> impl IntoView {
    let find = ServerAction::<FindNewSubaccounts>::new();
    let forget = ServerAction::<ForgetParent>::new();
    let kept = loaded(move || forget.version().get(), |_| list_kept_parents());
    Effect::new(move |_| {
        if let Some(Ok(id)) = find.value().get() {
            leptos_router::hooks::use_navigate()(&paths::import(&id), Default::default());
        }
    });
    view! {
        <Title text="Import projects · composition-admin" />
        <main class="page">
            <h1>"Import projects"</h1>
            <Transition fallback=|| view! { <p>"Loading…"</p> }>
                {move || kept.get().map(|listed| match listed {
                    Ok(KeptParents { now, parents }) => view! {
                        <p class="lede">
                            "List a parent (main) account's subaccounts, then import the ones you choose: each gets an API key of its own, made by the console inside the subaccount and stored sealed."
                        </p>
                        <KeptList now parents find forget />
                        <ParentForm />
                        <super::file_import_page::FileForm />
                    }.into_any(),
                    Err(error) => view! { <ErrorNotice error context="Only admins import projects." /> }.into_any(),
                })}
            </Transition>
            <p><a href=paths::PROJECTS>"Back to the projects"</a></p>
        </main>
    }
}

/// The kept parent logins, each with "Find new subaccounts" and "Forget".
/// Plain forms (no `ActionForm`, see `read_parent`): with JavaScript the
/// action is sent with the parent's SID, without it the form posts itself.
#[component]
fn KeptList(
    now: i64,
    parents: Vec<KeptParent>,
    find: ServerAction<FindNewSubaccounts>,
    forget: ServerAction<ForgetParent>,
) -> impl IntoView {
    if parents.is_empty() {
        return ().into_any();
    }
    let items = parents
        .into_iter()
        .map(|parent| {
            let checked = match (&parent.check_error, parent.checked_at, parent.new_count) {
                (Some(why), Some(at), _) => format!("Checked {}: it failed: {why}", ago(now, at)),
                (None, Some(at), Some(0)) => format!("Checked {}: no new subaccounts.", ago(now, at)),
                (None, Some(at), Some(1)) => format!("Checked {}: 1 active subaccount is not yet a project.", ago(now, at)),
                (None, Some(at), Some(n)) => format!("Checked {}: {n} active subaccounts are not yet projects.", ago(now, at)),
                _ => "Not checked yet.".to_owned(),
            };
            let with = match &parent.api_key_sid {
                Some(key) => format!("Main API key {key}"),
                None => "auth token".to_owned(),
            };
            let about = format!("{} · logs in with its {with} · kept by {} {}", parent.sid, parent.kept_by, ago(now, parent.kept_at));
            let (find_sid, forget_sid) = (parent.sid.clone(), parent.sid.clone());
            let on_find = move |ev: leptos::ev::SubmitEvent| {
                ev.prevent_default();
                find.dispatch(FindNewSubaccounts { parent: find_sid.clone() });
            };
            let on_forget = move |ev: leptos::ev::SubmitEvent| {
                ev.prevent_default();
                forget.dispatch(ForgetParent { parent: forget_sid.clone() });
            };
            let find_label = format!("Find new subaccounts of {}", parent.name);
            let forget_label = format!("Forget the login of {}", parent.name);
            view! {
                <li class="kept-parent">
                    <p><strong>{parent.name.clone()}</strong></p>
                    <p class="help">{about}</p>
                    <p>{checked}</p>
                    <div class="actions">
                        <form method="post" action=FindNewSubaccounts::url() on:submit=on_find>
                            <input type="hidden" name="parent" value=parent.sid.clone() />
                            <button type="submit" aria-label=find_label>"Find new subaccounts"</button>
                        </form>
                        <form method="post" action=ForgetParent::url() on:submit=on_forget>
                            <input type="hidden" name="parent" value=parent.sid.clone() />
                            <button type="submit" class="secondary" aria-label=forget_label>"Forget the login"</button>
                        </form>
                    </div>
                </li>
            }
        })
        .collect_view();
    let pending = find.pending();
    view! {
        <section class="add-form" aria-labelledby="kept-heading">
            <h2 id="kept-heading">"Kept parent logins"</h2>
            <p class="help">"Sealed like every project's login. The console checks each for subaccounts that are not yet projects, and the fleet page says when it finds some."</p>
            {move || find.value().get().and_then(Result::err).map(|error| view! { <ErrorNotice error context="No subaccounts were listed." /> })}
            {move || forget.value().get().and_then(Result::err).map(|error| view! { <ErrorNotice error context="The login was not forgotten." /> })}
            {move || pending.get().then(|| view! { <p role="status">"Listing subaccounts…"</p> })}
            <ul class="kept-parents">{items}</ul>
        </section>
    }
    .into_any()
}

/// The parent's login, to list its subaccounts.
#[component]
fn ParentForm() -> impl IntoView {
    let action = ServerAction::<DiscoverSubaccounts>::new();
    let typed = match action.value().get_untracked() {
        Some(Err(Failure {
            input: Some(input), ..
        })) => input,
        _ => ParentInput {
            login: LoginKind::AuthToken.slug().into(),
            ..ParentInput::default()
        },
    };
    let keeps = typed.keeps();
    let client = RwSignal::new(FieldErrors::default());
    let failure =
        Signal::derive(move || action.value().get().and_then(Result::err).map(|f| f.error));
    let on_submit = checked_submit_with(
        action,
        client,
        read_parent,
        |args: &DiscoverSubaccounts| args.input.validate().map(drop),
        field_id,
    );
    Effect::new(move |_| {
        if let Some(Ok(id)) = action.value().get() {
            leptos_router::hooks::use_navigate()(&paths::import(&id), Default::default());
        }
    });
    let error = move |field| error_for(client, move || failure.get(), field);
    let choice =
        move |kind: LoginKind, id: &'static str, label: &'static str, help: &'static str| {
            view! {
                <div class="field check">
                    <input
                        id=id
                        type="radio"
                        name="input[login]"
                        value=kind.slug()
                        checked=typed.login == kind.slug()
                        aria-describedby=format!("{id}-help")
                    />
                    <label for=id>{label}</label>
                    <p class="help" id=format!("{id}-help")>{help}</p>
                </div>
            }
        };
    let pending = action.pending();
    let js = hydrated();
    view! {
            <form method="post" action=DiscoverSubaccounts::url() on:submit=on_submit novalidate class="add-form" aria-labelledby="parent-heading">
                <h2 id="parent-heading">"The parent's login"</h2>
                <p class="help">
                    "Kept sealed for at most 30 minutes while you choose, then dropped unless you tick \u{201c}keep\u{201d} below. It never becomes a project's login."
                </p>
                {move || failure.get().filter(|e| !matches!(e, AppError::Invalid(_))).map(|error| view! { <ErrorNotice error context="No subaccounts were listed." /> })}
                <TextField
                    id=field_id(Field::AccountSid)
                    label="Parent account SID"
                    name="input[account_sid]"
                    value=typed.account_sid.clone()
                    error=error(Field::AccountSid)
                    help="AC followed by 32 hex digits: the main account that owns the subaccounts."
                />
                <fieldset class="login-choice">
                    <legend>"Log in with"</legend>
                    {choice(LoginKind::AuthToken, "parent-auth-token", "The parent's auth token", "From the parent's account dashboard in the Twilio Console.")}
                    {choice(LoginKind::ApiKey, "parent-api-key", "A Main API key", "Of the parent account. A Standard key cannot list subaccounts or make keys.")}
                </fieldset>
                <TextField
                    id=field_id(Field::ApiKeySid)
                    label="Main API key SID"
                    name="input[api_key_sid]"
                    value=typed.api_key_sid.clone()
                    error=error(Field::ApiKeySid)
                    help="SK followed by 32 hex digits. Only when logging in with a key."
                />
                <TextField
                    id=field_id(Field::Secret)
                    label="Auth token or key secret"
                    name="input[secret]"
                    value=""
                    error=error(Field::Secret)
                    help="Never shown again, not even after a failed attempt."
                    password=true
                />
                <div class="field check">
                    <input id="parent-keep" type="checkbox" name="input[keep]" value="on" checked=keeps aria-describedby="parent-keep-help" />
                    <label for="parent-keep">"Keep the parent's login to find new subaccounts later"</label>
                    <p class="help" id="parent-keep-help">"Sealed like every project's login, until an admin forgets it. Unticked, it is dropped after this import."</p>
                </div>
                <button type="submit" disabled=move || js.get() && pending.get()>
                    {move || if pending.get() { "Listing subaccounts…" } else { "List subaccounts" }}
                </button>
            </form>
    }
}

#[component]
pub fn ImportPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let start = ServerAction::<StartImport>::new();
    let tick = RwSignal::new(0u32);
    let import = loaded(
        move || (id(), start.version().get(), tick.get()),
        |(id, _, _)| read_import(id),
    );
    Effect::new(move |_| {
        let running = import
            .get()
            .and_then(Result::ok)
            .is_some_and(|i| i.state == ImportState::Running);
        if running {
            set_timeout(
                move || tick.update(|t| *t += 1),
                std::time::Duration::from_secs(1),
            );
        }
    });
    view! {
        <Title text="Import from a parent account · composition-admin" />
        <main class="page wide">
            <h1>"Import from a parent account"</h1>
            <Transition fallback=|| view! { <p>"Loading the import…"</p> }>
                {move || {
                    import.get().map(|found| match found {
                        Ok(import) => view! { <ImportBody import start /> }.into_any(),
                        Err(error) => view! { <ErrorNotice error context="This import cannot be shown." /> }.into_any(),
                    })
                }}
            </Transition>
            <p><a href=paths::PROJECTS>"Back to the projects"</a></p>
        </main>
    }
}

fn stage_text(import: &ImportView) -> String {
    let (stored, failed, waiting) = import.counts();
    let chosen = import.items.iter().filter(|i| i.chosen).count();
    match import.state {
        ImportState::Found => format!(
            "{} subaccounts found. Tick the ones to import.",
            import.items.len()
        ),
        ImportState::Running => format!("Importing: {} of {chosen} done.", chosen - waiting),
        ImportState::Done => format!("Done: {stored} imported, {failed} failed, of {chosen} chosen."),
        ImportState::Interrupted => format!("Interrupted: the console stopped during the import. {stored} imported, {failed} failed, {waiting} not done."),
    }
}

/// Whether a row gets a tick box now.
fn can_tick(import: &ImportView, item: &ImportItem) -> bool {
    import.can_import
        && item.found.importable()
        && !item
            .outcome
            .as_ref()
            .is_some_and(|o| o.stored() || matches!(o, ImportOutcome::AlreadyProject { .. }))
}

#[component]
fn ImportBody(import: ImportView, start: ServerAction<StartImport>) -> impl IntoView {
    let running = import.state == ImportState::Running;
    let tickable = import.items.iter().filter(|i| can_tick(&import, i)).count();
    let filter = RwSignal::new(String::new());
    let js = hydrated();
    let rows = import
        .items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let name = item.found.name.clone();
            let lower = name.to_lowercase();
            // A row the filter hides is left out of the import too.
            let hidden = Signal::derive(move || {
                let wanted = filter.get().to_lowercase();
                !wanted.is_empty() && !lower.contains(&wanted)
            });
            let tick = can_tick(&import, item).then(|| {
                // Ticked by default: not yet a project, not failed before. A
                // project whose login fails is offered a new key, unticked.
                let ticked = item.outcome.is_none() && item.found.project.is_none();
                let label = format!("Import {}", item.found.name);
                view! { <input type="checkbox" name=format!("account[{i}]") value=item.found.sid.to_string() checked=ticked disabled=hidden aria-label=label /> }
            });
            view! {
                <tr hidden=hidden>
                    <td class="tick">{tick}</td>
                    <th scope="row">{name}</th>
                    <td class="sid">{item.found.sid.to_string()}</td>
                    <td>{item.found.status.as_str()}</td>
                    <td>{outcome_text(item)}</td>
                </tr>
            }
        })
        .collect_view();
    let id = import.id.clone();
    let lede = format!(
        "Subaccounts of {}, listed by {}.",
        import.parent, import.started_by
    );
    view! {
        <p class="lede">{lede}</p>
        <div role="status" class="status-region">
            <p><strong>{stage_text(&import)}</strong></p>
            {running.then(|| view! { <div class="reload" inner_html=RELOAD></div> })}
        </div>
        {move || start.value().get().and_then(Result::err).map(|error| view! { <ErrorNotice error context="Nothing was imported." /> })}
        {(!import.can_import && !running && tickable == 0 && import.state == ImportState::Found).then(|| view! {
            <p class="notice">"The parent's login is no longer held for this import: list the subaccounts again to import."</p>
        })}
        {move || js.get().then(|| view! {
            <div class="field search-form">
                <label for="import-filter">"Filter by name"</label>
                <input id="import-filter" type="search" maxlength="100" on:input=move |ev| filter.set(event_target_value(&ev)) />
            </div>
        })}
        <ActionForm action=start>
            <input type="hidden" name="id" value=id />
            <table class="imports">
                <thead>
                    <tr>
                        <th scope="col">"Import"</th>
                        <th scope="col">"Subaccount"</th>
                        <th scope="col">"Account SID"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col">"Here"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
            {(tickable > 0 && !running).then(|| view! {
                <button type="submit">"Import the ticked subaccounts"</button>
            })}
        </ActionForm>
    }
}

fn outcome_text(item: &ImportItem) -> String {
    match (&item.outcome, &item.found.project) {
        (
            Some(ImportOutcome::Created {
                login_works: true, ..
            }),
            _,
        ) => "Imported: its new key works".into(),
        (Some(ImportOutcome::Created { message, .. }), _) => format!(
            "Imported, but its new key's test failed: {}",
            message.as_deref().unwrap_or("no answer")
        ),
        (
            Some(ImportOutcome::Replaced {
                login_works: false,
                message,
                ..
            }),
            _,
        ) => format!(
            "Its failing login was replaced by a new key, whose test failed too: {}",
            message.as_deref().unwrap_or("no answer")
        ),
        (Some(ImportOutcome::Replaced { .. }), _) => {
            "Its failing login was replaced by a new key".into()
        }
        (Some(ImportOutcome::AlreadyProject { name, .. }), _) => {
            format!("Already a project: \u{201c}{name}\u{201d}")
        }
        (Some(ImportOutcome::NotImportable { status }), _) => {
            format!("Not imported: the account is {}", status.as_str())
        }
        (Some(ImportOutcome::Failed { message }), _) => format!("Failed: {message}"),
        (None, Some(p)) if p.login_works == Some(false) => format!(
            "A project (\u{201c}{}\u{201d}) whose login fails: importing gives it a new key",
            p.name
        ),
        (None, Some(p)) => format!("Already a project: \u{201c}{}\u{201d}", p.name),
        (None, None) if item.chosen => "Waiting…".into(),
        (None, None) if item.found.importable() => "Not yet a project".into(),
        (None, None) => format!(
            "Not importable: the account is {}",
            item.found.status.as_str()
        ),
    }
}
