//! The audit log of the last run's world: one row per CloudTrail record (time, event, caller, key, error code),
//! each expandable to its JSON.

use yew::prelude::*;

use super::AppContext;
use crate::state::nested::Origin;
use kmsim_kms::AuditRecord;

#[component]
pub fn AuditLog() -> Html {
    let Some(app) = use_context::<AppContext>() else { return html! {} };
    let Some(run) = app.view_of_run().cloned() else {
        return html! { <p class="hint">{"Run the scenario to fill the audit log."}</p> };
    };
    let origins = crate::state::nested::origins(&run);
    let rows = run.audit.iter().enumerate().map(|(i, r)| {
        let caller = r.user_identity.arn.clone().or_else(|| r.user_identity.invoked_by.clone()).unwrap_or_default();
        let key = r.resources.first().map(|k| k.arn.rsplit('/').next().unwrap_or("").to_string()).unwrap_or_default();
        // Through a Value: the simulator already serialises records to Values, so this adds no serde code.
        let json = serde_json::to_value(r).and_then(|v| serde_json::to_string_pretty(&v)).unwrap_or_default();
        let time = r.event_time.to_string();
        html! {
            <details class={classes!("audit-row", r.error_code.is_some().then_some("failed"))} data-testid="audit-row">
                <summary>
                    <span class="n">{i + 1}</span>
                    <span class="time" title={time.clone()}>{time.get(5..19).unwrap_or(&time).replace('T', " ")}</span>
                    <span class="event" data-testid="audit-event">{r.event_name.to_string()}</span>
                    <span class="caller" title={caller.clone()}>
                        {short_caller(&caller)}
                        { for origins.get(&r.event_id.to_string()).map(|o| origin(o, r)) }
                    </span>
                    <span class="key" title={key.clone()}>{key.chars().take(8).collect::<String>()}</span>
                    <span class="code" data-testid="audit-error">{r.error_code.as_deref().unwrap_or_default().to_string()}</span>
                </summary>
                // Focusable, so that a keyboard user can scroll it.
                <pre tabindex="0" aria-label={format!("audit record {} as JSON", i + 1)}>{json}</pre>
            </details>
        }
    });
    html! {
        <div class="audit" data-testid="audit">
            <div class="audit-head">
                <span class="n">{"#"}</span><span class="time">{"eventTime (UTC)"}</span><span class="event">{"eventName"}</span>
                <span class="caller">{"caller"}</span><span class="key">{"key"}</span><span class="code">{"errorCode"}</span>
            </div>
            { for rows }
        </div>
    }
}

/// Who made the record for whom (a service, a rule), in the caller's cell.
fn origin(o: &Origin, r: &AuditRecord) -> Html {
    html! { <span class="origin" data-testid="audit-origin">{crate::words::origin(o, r)}</span> }
}

/// `arn:aws:sts::111122223333:assumed-role/App/session` -> `assumed-role/App/session` (the full ARN is the title).
fn short_caller(arn: &str) -> String {
    arn.splitn(6, ':').nth(5).unwrap_or(arn).to_string()
}
