//! What the benchmarks share: a world whose account 111122223333 has an `admin` user allowed every KMS action.

use kmsim_kms::{NamedPolicy, Seed, User, World};

pub const ADMIN: &str = "arn:aws:iam::111122223333:user/admin";

/// A world with the admin user (identity policy `kms-all`: `kms:*` on `*`).
pub fn admin_world() -> World {
    let mut w = World::new(Seed(1));
    let a = w.account_mut("111122223333");
    let policy = NamedPolicy::parse(
        "kms-all",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}"#,
        kmsim_policy::PolicyType::Identity,
    );
    a.users.insert("admin".into(), User { policies: policy.into_iter().collect(), ..Default::default() });
    w
}
