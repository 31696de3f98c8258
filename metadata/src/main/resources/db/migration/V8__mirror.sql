-- The pull-through cache (mirror namespaces).

-- A mirrored image manifest is cached before its layers: they are fetched when a client pulls them.
-- Its manifest_blob rows therefore name blobs the registry does not hold yet, and hold them once they
-- arrive. A pushed manifest still needs every blob linked (the push checks it under lock), and the
-- collector deletes only blobs no row names, so the foreign key adds nothing but the refusal.
alter table manifest_blob drop constraint manifest_blob_blob_digest_fkey;

-- When the upstream last confirmed where a mirrored tag points (null for pushed tags): until the
-- upstream's freshness interval has passed, the cached tag is served without asking it.
alter table tag add column upstream_checked_at timestamptz;

-- Fetches from an upstream in flight, one per blob or manifest whatever the replica: the replica that
-- holds an unexpired lease fetches, the others wait for what it stores. A replica that dies stops
-- renewing, and the next request for the content takes the fetch over once the lease has expired.
create table mirror_fetch (
    fetch_key           varchar(600) collate "C" primary key,
    lease_token         uuid not null,
    lease_expires_at    timestamptz not null
);
