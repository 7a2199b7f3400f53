//! Form controls shared by every form: a label, help text, and an error
//! that is tied to the input so screen readers read it with the field.

use crate::domain::{AppError, Field, FieldErrors};
use leptos::ev::SubmitEvent;
use leptos::form::FromFormData;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

/// Moves keyboard focus to the element with this id, if there is one.
pub fn focus_by_id(id: &str) {
    use leptos::wasm_bindgen::JsCast;
    if let Some(el) = document()
        .get_element_by_id(id)
        .and_then(|el| el.dyn_into::<leptos::web_sys::HtmlElement>().ok())
    {
        let _ = el.focus();
    }
}

/// `aria-describedby` for a field: the error first when there is one.
pub fn described_by(id: &str, error: Signal<Option<String>>) -> impl Fn() -> String + Send + Sync {
    let help_id = format!("{id}-help");
    let error_id = format!("{id}-error");
    move || {
        if error.get().is_some() {
            format!("{error_id} {help_id}")
        } else {
            help_id.clone()
        }
    }
}

/// The error line under a field; `label` starts the sentence.
#[component]
pub fn FieldError(
    id: &'static str,
    label: &'static str,
    error: Signal<Option<String>>,
) -> impl IntoView {
    move || {
        error.get().map(|message| {
            view! {
                <p class="field-error" id=format!("{id}-error")>
                    {format!("{label} {message}")}
                </p>
            }
        })
    }
}

/// A labelled text input (or text area) with help and error text.
#[component]
pub fn TextField(
    id: &'static str,
    label: &'static str,
    name: &'static str,
    #[prop(into)] value: String,
    error: Signal<Option<String>>,
    #[prop(into)] help: String,
    #[prop(optional)] multiline: bool,
    #[prop(optional)] password: bool,
) -> impl IntoView {
    let invalid = move || error.get().is_some().to_string();
    let control = if multiline {
        view! {
            <textarea
                id=id
                name=name
                rows="8"
                spellcheck="false"
                aria-invalid=invalid
                aria-describedby=described_by(id, error)
            >
                {value}
            </textarea>
        }
        .into_any()
    } else {
        view! {
            <input
                id=id
                type=if password { "password" } else { "text" }
                name=name
                value=value
                spellcheck="false"
                autocomplete=if password { "new-password" } else { "off" }
                aria-invalid=invalid
                aria-describedby=described_by(id, error)
            />
        }
        .into_any()
    };
    view! {
        <div class="field" class:invalid=move || error.get().is_some()>
            <label for=id>{label}</label>
            {control}
            <p class="help" id=format!("{id}-help")>
                {help}
            </p>
            <FieldError id label error />
        </div>
    }
}

#[component]
pub fn CheckField(
    id: &'static str,
    name: &'static str,
    label: &'static str,
    checked: bool,
) -> impl IntoView {
    view! {
        <div class="field check">
            <input id=id type="checkbox" name=name value="true" checked=checked />
            <label for=id>{label}</label>
        </div>
    }
}

/// True once the app runs in the browser; false in the server's HTML, so
/// controls that need JavaScript are only offered where it runs.
pub fn hydrated() -> ReadSignal<bool> {
    let (hydrated, set_hydrated) = signal(false);
    Effect::new(move |_| set_hydrated.set(true));
    hydrated
}

/// A node ref that moves keyboard focus to its element once it is in the
/// page. (`autofocus` works only on page load, not for elements the app
/// inserts later, such as a confirmation step.)
pub fn focus_on_load<E>() -> NodeRef<E>
where
    E: leptos::tachys::html::element::ElementType,
    E::Output: leptos::wasm_bindgen::JsCast + Clone + 'static,
{
    use leptos::wasm_bindgen::JsCast;
    let node = NodeRef::new();
    node.on_load(|el: E::Output| {
        if let Some(el) = el.dyn_ref::<leptos::web_sys::HtmlElement>() {
            let _ = el.focus();
        }
    });
    node
}

/// A submit handler that checks the form in the browser with the same
/// rules the server applies, sends it only when they pass, and otherwise
/// shows the messages and moves focus to the first field named.
pub fn checked_submit<S>(
    action: ServerAction<S>,
    shown: RwSignal<FieldErrors>,
    check: impl Fn(&S) -> Result<(), FieldErrors> + 'static,
    id_of: impl Fn(Field) -> &'static str + 'static,
) -> impl Fn(SubmitEvent) + 'static
where
    S: ServerFn + FromFormData + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
    S::Error: Send + Sync + 'static,
{
    let read = |ev: &SubmitEvent| S::from_event(ev).map_err(|e| e.to_string());
    checked_submit_with(action, shown, read, check, id_of)
}

/// [`checked_submit`] with the form read by `read` instead of by serde_qs
/// (`FromFormData`), for a form in the main bundle.
pub fn checked_submit_with<S>(
    action: ServerAction<S>,
    shown: RwSignal<FieldErrors>,
    read: impl Fn(&SubmitEvent) -> Result<S, String> + 'static,
    check: impl Fn(&S) -> Result<(), FieldErrors> + 'static,
    id_of: impl Fn(Field) -> &'static str + 'static,
) -> impl Fn(SubmitEvent) + 'static
where
    S: ServerFn + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
    S::Error: Send + Sync + 'static,
{
    move |ev: SubmitEvent| {
        let args = match read(&ev) {
            Ok(args) => args,
            Err(e) => {
                // Not stopped: the browser posts the form itself, as without
                // JavaScript, and the server says what is wrong with it.
                leptos::logging::error!("could not read the form ({e}); posting it as it is");
                return;
            }
        };
        ev.prevent_default();
        match check(&args) {
            Ok(()) => {
                shown.set(FieldErrors::default());
                action.dispatch(args);
            }
            Err(errors) => {
                if let Some(first) = errors.iter().next() {
                    focus_by_id(id_of(first.field));
                }
                shown.set(errors);
            }
        }
    }
}

/// The message for a field: the browser's own check first, then the
/// server's answer to the last attempt.
pub fn error_for(
    client: RwSignal<FieldErrors>,
    failure: impl Fn() -> Option<AppError> + Send + Sync + 'static,
    field: Field,
) -> Signal<Option<String>> {
    Signal::derive(move || {
        client
            .with(|e| e.message_for(field).map(str::to_owned))
            .or_else(|| failure()?.message_for(field))
    })
}
