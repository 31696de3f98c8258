package io.berth.gc;

import io.berth.metadata.repository.ImmutableTagRuleRepository;
import io.berth.metadata.repository.ManifestRepository;
import io.berth.metadata.repository.Removal;
import io.berth.metadata.repository.RetentionRuleRepository;
import io.berth.metadata.repository.RetentionRuleRepository.Governed;
import io.berth.metadata.repository.RetentionRuleRepository.RetentionRule;
import io.berth.metadata.repository.TagRepository;
import io.berth.metadata.repository.TagRepository.PushedTag;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Applies the retention rules, first in every run. A tag stays when any part of its repository's rule
 * keeps it (it is immutable, it matches a keep pattern, it is among the {@code keepNewest} most
 * recently pushed, it was pushed within {@code removeTagsOlderThan}, or its manifest was pulled or the
 * tag pushed within {@code removeNotPulledFor}); the others go. With none of {@code keepNewest},
 * {@code removeTagsOlderThan} and {@code removeNotPulledFor}, no tag goes. Untagged manifests older than
 * {@code removeUntaggedOlderThan} go, unless an index lists them or they are referrers. What they
 * alone kept then becomes garbage by the collector's other rules.
 */
@ApplicationScoped
public class Retention {

    /** The actor retention's tag removals are recorded under in the tag history. */
    static final String ACTOR = "retention";

    private final RetentionRuleRepository rules;
    private final ImmutableTagRuleRepository immutableRules;
    private final TagRepository tags;
    private final ManifestRepository manifests;

    public Retention(RetentionRuleRepository rules, ImmutableTagRuleRepository immutableRules, TagRepository tags,
            ManifestRepository manifests) {
        this.rules = rules;
        this.immutableRules = immutableRules;
        this.tags = tags;
        this.manifests = manifests;
    }

    /** What retention removed (or, in a dry run, would remove), as {@code repository:tag} and {@code repository@digest}. */
    public record Outcome(List<String> tags, List<String> manifests) {
    }

    public Outcome apply(Instant now, boolean dryRun, int batchSize) {
        List<String> removedTags = new ArrayList<>();
        List<String> removedManifests = new ArrayList<>();
        for (Governed governed : QuarkusTransaction.requiringNew().call(rules::governed)) {
            RetentionRule rule = governed.rule();
            for (PushedTag tag : tagsToRemove(governed, now)) {
                boolean removed = dryRun || QuarkusTransaction.requiringNew().call(() -> tags.removeIfUnchanged(
                        governed.repositoryId(), tag.name(), tag.digest(), tag.pushedAt(), ACTOR));
                if (removed) {
                    removedTags.add(governed.repository() + ":" + tag.name());
                }
            }
            if (rule.removeUntaggedOlderThan().isPresent()) {
                Instant cutoff = now.minus(rule.removeUntaggedOlderThan().get());
                List<String> untagged = QuarkusTransaction.requiringNew().call(() ->
                        manifests.findUntagged(governed.repositoryId(), cutoff, dryRun ? 100_000 : batchSize));
                for (String digest : untagged) {
                    if (dryRun || QuarkusTransaction.requiringNew().call(() -> deleteIfStillUntagged(governed.repositoryId(), digest))) {
                        removedManifests.add(governed.repository() + "@" + digest);
                    }
                }
            }
        }
        return new Outcome(removedTags, removedManifests);
    }

    private List<PushedTag> tagsToRemove(Governed governed, Instant now) {
        RetentionRule rule = governed.rule();
        if (rule.keepNewest().isEmpty() && rule.removeTagsOlderThan().isEmpty() && rule.removeNotPulledFor().isEmpty()) {
            return List.of();
        }
        String namespace = governed.repository().split("/", 2)[0];
        List<TagPattern> kept = new ArrayList<>();
        rule.keepPatterns().stream().filter(TagPattern::valid).map(TagPattern::new).forEach(kept::add);
        QuarkusTransaction.requiringNew().call(() -> immutableRules.rulesFor(governed.repository(), namespace)).stream()
                .map(immutable -> new TagPattern(immutable.pattern())).forEach(kept::add);
        List<PushedTag> newestFirst = QuarkusTransaction.requiringNew().call(() -> tags.listPushed(governed.repositoryId()));
        Optional<Instant> youngerKept = rule.removeTagsOlderThan().map(now::minus);
        Optional<Instant> pulledKept = rule.removeNotPulledFor().map(now::minus);
        List<PushedTag> remove = new ArrayList<>();
        for (int i = 0; i < newestFirst.size(); i++) {
            PushedTag tag = newestFirst.get(i);
            boolean keptByPattern = kept.stream().anyMatch(pattern -> pattern.matches(tag.name()));
            int position = i;
            boolean keptAsNewest = rule.keepNewest().map(n -> position < n).orElse(false);
            boolean keptAsYoung = youngerKept.map(cutoff -> tag.pushedAt().isAfter(cutoff)).orElse(false);
            // A tag never pulled counts from its push, so a fresh one is not removed before anyone could pull it.
            Instant lastUse = tag.pulledAt().filter(pulled -> pulled.isAfter(tag.pushedAt())).orElse(tag.pushedAt());
            boolean keptAsPulled = pulledKept.map(cutoff -> lastUse.isAfter(cutoff)).orElse(false);
            if (!keptByPattern && !keptAsNewest && !keptAsYoung && !keptAsPulled) {
                remove.add(tag);
            }
        }
        return remove;
    }

    /** Deletes an untagged manifest unless a tag was pushed onto it since it was listed (its row is locked first). */
    private boolean deleteIfStillUntagged(long repositoryId, String digest) {
        Optional<Long> id = manifests.lockId(repositoryId, digest);
        if (id.isEmpty() || !tags.namesOf(id.get()).isEmpty()) {
            return false;
        }
        return manifests.deleteUnlessListed(repositoryId, digest) instanceof Removal.Removed;
    }
}
