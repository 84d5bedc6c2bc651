//! Parses arbitrary text as every policy type and evaluates whatever parses against a few requests, with and
//! without the trace, checking that the decision never depends on the trace and that every element's and entry's
//! span covers text of the document.
#![no_main]

use kmsim_policy::{evaluate, render_text, Context, EvalOptions, Policy, PolicyType, Principal, Request};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for ty in [PolicyType::Resource, PolicyType::Identity, PolicyType::Scp] {
        let Ok(policy) = Policy::parse(text, ty) else { continue };
        // Every element's and entry's span (pointers written on demand) covers text of the document.
        let covers = |span: &kmsim_policy::Span| {
            let start = span.offset as usize;
            assert!(text.get(start..start + span.len as usize).is_some(), "{span:?} outside the text");
            assert!(span.path.starts_with("/Statement"), "{span:?}");
        };
        for st in policy.statements() {
            covers(st.span());
            covers(&st.action_span());
            st.action_entries().for_each(|e| covers(&e.span()));
            st.principal_span().iter().for_each(covers);
            st.principal_entries().for_each(|e| covers(&e.value.span()));
            st.resource_span().iter().for_each(covers);
            st.resource_entries().for_each(|e| covers(&e.span()));
            for c in st.condition_views() {
                covers(&c.span());
                covers(&c.operator().span());
                covers(&c.key().span());
                c.values().for_each(|v| covers(&v.span()));
            }
        }
        let mut context = Context::new();
        context.insert_string("aws:username", "alice");
        context.insert_string("aws:SourceIp", "203.0.113.7");
        context.insert_string("kms:ViaService", "ec2.us-east-1.amazonaws.com");
        for (arn, action, resource) in [
            ("arn:aws:iam::111122223333:user/alice", "kms:Decrypt", "arn:aws:kms:us-east-1:111122223333:key/k1"),
            ("arn:aws:sts::111122223333:assumed-role/App/s1", "s3:GetObject", "*"),
        ] {
            let req = Request {
                principal: Principal::from_arn(arn),
                action: action.into(),
                resource: resource.into(),
                context: context.clone(),
                resource_account: None,
            };
            let fast = evaluate(&policy, &req, EvalOptions { trace: false });
            let traced = evaluate(&policy, &req, EvalOptions { trace: true });
            assert_eq!(fast.decision, traced.decision);
            assert_eq!(fast.applied, traced.applied);
            if let Some(t) = &traced.trace {
                let _ = render_text(t, Some(text));
            }
        }
    }
});
