-- Berth's registry metadata. Blob bytes live in the blob store under their digest; everything that
-- says which repository may read which blob, which manifest refers to what, and which tag points
-- where lives here.
--
-- Every row that the garbage collector reasons about records when it was created and when it was
-- last referenced (pushed again, mounted, named by a manifest), so reachability can be decided in
-- SQL while pushes go on: a blob younger than the grace period is never swept.
--
-- Names and tags use the "C" collation so that ORDER BY and the `last` cursor of tags/list and
-- _catalog follow byte order, the lexical order the distribution spec asks for.

create table repository (
    id                  bigint generated always as identity primary key,
    name                varchar(255) collate "C" not null,
    created_at          timestamptz not null default now(),
    constraint repository_name_unique unique (name)
);

-- One row per stored blob, for the whole registry.
create table blob (
    digest              varchar(200) primary key,
    size                bigint not null check (size >= 0),
    created_at          timestamptz not null default now(),
    last_referenced_at  timestamptz not null default now()
);

-- The blobs a repository may serve: written when an upload completes or a blob is mounted.
create table repository_blob (
    repository_id       bigint not null references repository (id) on delete cascade,
    blob_digest         varchar(200) not null references blob (digest),
    created_at          timestamptz not null default now(),
    last_referenced_at  timestamptz not null default now(),
    primary key (repository_id, blob_digest)
);
create index repository_blob_by_blob on repository_blob (blob_digest);

-- Manifests and indexes, with their raw bytes: the digest is computed over exactly these bytes.
create table manifest (
    id                  bigint generated always as identity primary key,
    repository_id       bigint not null references repository (id) on delete cascade,
    digest              varchar(200) not null,
    media_type          varchar(255) not null,
    artifact_type       varchar(255),
    size                bigint not null,
    content             bytea not null,
    config_digest       varchar(200),
    subject_digest      varchar(200),
    annotations         text,
    created_at          timestamptz not null default now(),
    last_referenced_at  timestamptz not null default now(),
    constraint manifest_digest_unique unique (repository_id, digest)
);
create index manifest_by_subject on manifest (repository_id, subject_digest) where subject_digest is not null;

-- The config and layer blobs an image manifest references.
create table manifest_blob (
    manifest_id         bigint not null references manifest (id) on delete cascade,
    blob_digest         varchar(200) not null references blob (digest),
    primary key (manifest_id, blob_digest)
);
create index manifest_blob_by_blob on manifest_blob (blob_digest);

-- The manifests an index references, by digest within the same repository.
create table manifest_child (
    manifest_id         bigint not null references manifest (id) on delete cascade,
    child_digest        varchar(200) not null,
    primary key (manifest_id, child_digest)
);
create index manifest_child_by_child on manifest_child (child_digest);

create table tag (
    repository_id       bigint not null references repository (id) on delete cascade,
    name                varchar(128) collate "C" not null,
    manifest_id         bigint not null references manifest (id) on delete cascade,
    created_at          timestamptz not null default now(),
    updated_at          timestamptz not null default now(),
    primary key (repository_id, name)
);
create index tag_by_manifest on tag (manifest_id);

-- Upload sessions: the whole state of an upload in progress, so that any replica can take the next
-- chunk. A request that writes holds the lease; a lease left by a crashed writer simply expires.
create table upload_session (
    id                  uuid primary key,
    repository_id       bigint not null references repository (id) on delete cascade,
    size                bigint not null default 0,
    hash_algorithm      varchar(16) not null,
    hash_state          bytea,
    store_state         text,
    lease_token         uuid,
    lease_expires_at    timestamptz,
    created_at          timestamptz not null default now(),
    updated_at          timestamptz not null default now()
);
create index upload_session_by_update on upload_session (updated_at);
