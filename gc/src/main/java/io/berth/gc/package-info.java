/**
 * The online garbage collector. It runs while the registry serves pushes and pulls, on any replica,
 * one run at a time across all of them (a PostgreSQL session advisory lock; a replica that dies
 * mid-run frees it with its connection, and the next run simply does the work again, because every
 * step is idempotent). It knows no HTTP: the admin API and the schedule live in registry-server.
 *
 * <h2>What is garbage, and when</h2>
 * A run removes, in this order, in batches of {@code berth.gc.batch-size}:
 * <ol>
 * <li><b>Upload sessions</b> untouched for {@code berth.gc.upload-expiry} (24 h) whose lease has
 * expired: the row, then the staged bytes (a staging file; on S3 the multipart upload is aborted and
 * its staged tail and marker objects removed).</li>
 * <li><b>Referrers whose subject is gone</b>: untagged manifests that no index lists, created longer
 * ago than {@code berth.gc.grace} (1 h), whose {@code subject} is not in their repository. The grace
 * period matters because a client may push a referrer before its subject. Other untagged manifests
 * are kept: Kubernetes pulls by digest, and a tag moving must not break a running Deployment.</li>
 * <li><b>Platforms of a deleted index</b>: manifests that an index listed, that lost their last such
 * index when it was deleted while no tag pointed at them, and that no tag or index claimed within the
 * grace period (nested indexes give up their own children the same way, one run later). Until then a
 * client that deletes an index and then its children by digest still finds them.</li>
 * <li><b>Repository links</b> to blobs that no manifest of that repository references, last
 * referenced (pushed, mounted) longer ago than the grace period. A client that uploaded a blob has
 * that long to push the manifest that needs it.</li>
 * <li><b>Blobs</b> that no link and no manifest references, last referenced longer ago than the grace
 * period. Decided with {@code NOT EXISTS} on the reference tables, never on times alone. The row
 * goes first, then the bytes.</li>
 * <li><b>Orphan bytes</b>: objects in the store older than the grace period that no blob row names,
 * left by a crash between a store's commit and its record, or by a byte delete that failed. Found by
 * a paged walk of the store, which costs as much as the store is large, so it runs only every
 * {@code berth.gc.orphan-scan-interval} (24 h).</li>
 * </ol>
 * <h2>What a run looks at</h2>
 * A run costs what changed since the last one, not what the registry holds. Of the rows older than
 * the grace period it looks only at those whose time passed into it since the last complete run's
 * cutoff (less ten minutes of overlap, for transactions that committed late), found through the
 * reference-time indexes, and at those that lost a reference since: triggers record every blob that
 * loses a manifest reference or a link ({@code gc_suspect}), and mark every referrer whose subject is
 * deleted ({@code manifest.subject_lost_at}), whichever statement does it (a delete, retention, a
 * repository's cascade, the collector itself). Any other old row was found needed by an earlier run
 * and has lost nothing since. A run clears the losses it saw at its start once it has looked at them;
 * a loss recorded meanwhile has a newer sequence number and waits for the next run. The run that
 * walks the store for orphans, and a run asked for with {@code full}, look at every row instead, so
 * what no window showed (a clock set back, a transaction open longer than the overlap) is found then.
 *
 * <p>Deleting a manifest (by digest) removes its tags and its references to blobs and children at once;
 * what it alone kept alive becomes garbage by the rules above. Immutable tags ({@code
 * ImmutableTags} in registry-server) are never removed by retention.
 *
 * <h2>The invariant, and the rule that keeps it under concurrent pushes</h2>
 * No manifest, link or blob row ever points at bytes that are not in the store, and nothing a
 * completed push references is deleted. Rows are decided and deleted in PostgreSQL first, and bytes
 * deleted from the store only after that commit (retried with back-off; what still fails is an orphan
 * for a later scan), so a crash at any point leaves garbage or nothing, never a dangling row.
 *
 * <p>That order alone leaves one race: a commit of the same digest that finds the bytes already in
 * place (de-duplication) and records them after the collector deleted the row but before it deleted
 * the bytes. The rule that closes it is a <b>per-digest blob lock</b> (a PostgreSQL advisory lock):
 * <ul>
 * <li>a commit takes it shared, in the transaction that records the blob, before the store makes the
 * bytes readable or finds them there ({@link io.berth.storage.CommitGuard}), and holds it until that
 * record commits;</li>
 * <li>the collector takes it exclusively ({@code pg_try_advisory_lock}: a digest a commit holds is
 * being pushed, and is skipped) before it deletes the row, and holds it until the bytes are gone.</li>
 * </ul>
 * So a commit that meets the collector waits, then finds no bytes and stores its own. The race test
 * ({@code GcApiSuite}) stops the collector between the two deletes ({@link CollectorHooks}) and pushes
 * the digest: the push waits and ends with its bytes in place.
 *
 * <p>Row decisions are race-safe the same way the registry's own deletes are: a removal locks its
 * candidate rows ({@code for update skip locked}) and only then checks, in a statement of its own,
 * that nothing references them. A manifest push locks the links it needs ({@code for key share}), so
 * it either commits before the check sees it, or waits and then finds the link gone and answers
 * {@code MANIFEST_BLOB_UNKNOWN}: never a stored manifest with missing bytes.
 */
package io.berth.gc;
