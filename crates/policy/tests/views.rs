//! The views' locations: every element and entry of a statement at its JSON Pointer and byte range, written out
//! from where it is in the statement (a compiled policy keeps no pointer per entry).

use kmsim_policy::{Policy, PolicyType, Span};

const POLICY: &str = r#"{"Version": "2012-10-17", "Statement": [
  {"Sid": "Star", "Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*"},
  {"Effect": "Deny",
   "NotPrincipal": {"AWS": ["arn:aws:iam::111122223333:root", "444455556666"], "Service": "logs.amazonaws.com"},
   "NotAction": ["kms:Encrypt", "kms:Decrypt"],
   "NotResource": "arn:aws:kms:*:111122223333:key/*",
   "Condition": {
     "StringEquals": {"aws:ResourceTag/team~x": ["red", "blue"], "kms:ViaService": "s3.us-east-1.amazonaws.com"},
     "ForAnyValue:StringLike": {"kms:EncryptionContextKeys": "app*"}
   }}
]}"#;

/// A span as `pointer text`: its JSON Pointer and the source text its byte range covers.
fn at(span: &Span) -> String {
    let start = span.offset as usize;
    let text = POLICY.get(start..start + span.len as usize).unwrap_or("<out of range>");
    format!("{} {text}", span.path)
}

#[test]
fn every_view_span_has_its_pointer_and_its_text() {
    let p = Policy::parse(POLICY, PolicyType::Resource).unwrap();
    let [star, deny] = p.statements() else { panic!("two statements") };

    assert_eq!(star.principal_span().map(|s| at(&s)).as_deref(), Some(r#"/Statement/0/Principal "Principal": "*""#));
    let bare: Vec<_> = star.principal_entries().map(|e| (e.ptype, at(&e.value.span()))).collect();
    assert_eq!(bare, [("*", r#"/Statement/0/Principal "*""#.to_string())]);
    assert_eq!(at(&star.action_span()), r#"/Statement/0/Action "Action": "kms:Decrypt""#);
    let actions: Vec<_> = star.action_entries().map(|e| at(&e.span())).collect();
    assert_eq!(actions, [r#"/Statement/0/Action "kms:Decrypt""#]);
    let resources: Vec<_> = star.resource_entries().map(|e| at(&e.span())).collect();
    assert_eq!(resources, [r#"/Statement/0/Resource "*""#]);

    let principals: Vec<_> = deny.principal_entries().map(|e| (e.ptype, e.value.text, at(&e.value.span()))).collect();
    assert_eq!(
        principals,
        [
            (
                "AWS",
                "arn:aws:iam::111122223333:root",
                r#"/Statement/1/NotPrincipal/AWS/0 "arn:aws:iam::111122223333:root""#.to_string()
            ),
            ("AWS", "444455556666", r#"/Statement/1/NotPrincipal/AWS/1 "444455556666""#.to_string()),
            ("Service", "logs.amazonaws.com", r#"/Statement/1/NotPrincipal/Service "logs.amazonaws.com""#.to_string()),
        ]
    );
    assert_eq!(deny.principal_span().map(|s| s.path.to_string()).as_deref(), Some("/Statement/1/NotPrincipal"));
    let actions: Vec<_> = deny.action_entries().map(|e| at(&e.span())).collect();
    assert_eq!(actions, [r#"/Statement/1/NotAction/0 "kms:Encrypt""#, r#"/Statement/1/NotAction/1 "kms:Decrypt""#]);
    assert_eq!(&*deny.action_span().path, "/Statement/1/NotAction");
    let resources: Vec<_> = deny.resource_entries().map(|e| at(&e.span())).collect();
    assert_eq!(resources, [r#"/Statement/1/NotResource "arn:aws:kms:*:111122223333:key/*""#]);
    assert_eq!(deny.resource_span().map(|s| s.path.to_string()).as_deref(), Some("/Statement/1/NotResource"));

    let conditions: Vec<_> = deny.condition_views().collect();
    let [tag, via, keys] = conditions.as_slice() else { panic!("three conditions") };
    // `/` and `~` in a key are escaped in its pointer (RFC 6901).
    let tag_at = "/Statement/1/Condition/StringEquals/aws:ResourceTag~1team~0x";
    assert_eq!(at(&tag.operator().span()), r#"/Statement/1/Condition/StringEquals "StringEquals""#);
    assert_eq!(at(&tag.key().span()), format!(r#"{tag_at} "aws:ResourceTag/team~x""#));
    assert_eq!(at(&tag.span()), format!(r#"{tag_at} "aws:ResourceTag/team~x": ["red", "blue"]"#));
    let values: Vec<_> = tag.values().map(|v| (v.text, at(&v.span()))).collect();
    assert_eq!(values, [("red", format!(r#"{tag_at}/0 "red""#)), ("blue", format!(r#"{tag_at}/1 "blue""#))]);
    let values: Vec<_> = via.values().map(|v| at(&v.span())).collect();
    assert_eq!(values, [r#"/Statement/1/Condition/StringEquals/kms:ViaService "s3.us-east-1.amazonaws.com""#]);
    assert_eq!(
        at(&keys.operator().span()),
        r#"/Statement/1/Condition/ForAnyValue:StringLike "ForAnyValue:StringLike""#
    );
    assert_eq!(
        at(&keys.key().span()),
        r#"/Statement/1/Condition/ForAnyValue:StringLike/kms:EncryptionContextKeys "kms:EncryptionContextKeys""#
    );
    // Lines and columns are the byte range's.
    assert_eq!((keys.key().span().line, keys.key().span().column), (9, 33));
}

#[test]
fn an_action_element_covers_the_actions_evaluation_matches() {
    let src = r#"{"Version": "2012-10-17", "Statement": [
      {"Effect": "Allow", "Principal": "*", "Action": ["kms:Get*", "K?S:describekey", "s3:*"], "Resource": "*"},
      {"Effect": "Deny", "Principal": "*", "NotAction": ["kms:*Grant*", "kms:Decrypt"], "Resource": "*"},
      {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}
    ]}"#;
    let p = Policy::parse(src, PolicyType::Resource).unwrap();
    let [listed, negated, all] = p.statements() else { panic!("three statements") };
    let covered = |st: &kmsim_policy::Statement| {
        [
            "kms:GetKeyPolicy",
            "kms:DescribeKey",
            "KMS:getpublickey",
            "kms:Decrypt",
            "kms:CreateGrant",
            "s3:GetObject",
            "Decrypt",
        ]
        .into_iter()
        .filter(|a| st.covers_action(a))
        .collect::<Vec<_>>()
    };
    assert_eq!(covered(listed), ["kms:GetKeyPolicy", "kms:DescribeKey", "KMS:getpublickey", "s3:GetObject"]);
    // `NotAction`: every action it does not name, in any service; an action without a service only by `*`.
    assert_eq!(
        covered(negated),
        ["kms:GetKeyPolicy", "kms:DescribeKey", "KMS:getpublickey", "s3:GetObject", "Decrypt"]
    );
    assert_eq!(covered(all).len(), 7);
}
