//! One Argon2id hash and one verification with the crate's default parameters (m=19 MiB, t=2,
//! p=1), as the server computes them. The login ceiling is about cores / verify time.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use storefront::store::passwords;

fn password_hash(c: &mut Criterion) {
    let mut group = c.benchmark_group("argon2id");
    group.sample_size(30);
    group.bench_function("hash", |b| {
        b.iter(|| passwords::hash_now(black_box("correct horse battery staple")).unwrap())
    });
    let hash = passwords::hash_now("correct horse battery staple").unwrap();
    group.bench_function("verify", |b| {
        b.iter(|| passwords::verify_now(black_box("correct horse battery staple"), &hash))
    });
    group.finish();
}

criterion_group!(benches, password_hash);
criterion_main!(benches);
