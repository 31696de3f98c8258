package io.berth.metadata.repository;

import io.quarkus.hibernate.orm.panache.Panache;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** Retention rules of namespaces and repositories, and the repositories each one governs. */
@ApplicationScoped
public class RetentionRuleRepository {

    /** A rule as stored (see the migration for what each part means); absent parts do not apply. */
    public record RetentionRule(PolicyScope scope, String scopeName, Optional<Integer> keepNewest, List<String> keepPatterns,
            Optional<Duration> removeTagsOlderThan, Optional<Duration> removeNotPulledFor,
            Optional<Duration> removeUntaggedOlderThan) {
    }

    /** A repository and the rule that governs it: its own, or else its namespace's. */
    public record Governed(long repositoryId, String repository, RetentionRule rule) {
    }

    private static EntityManager em() {
        return Panache.getEntityManager();
    }

    public Optional<RetentionRule> find(PolicyScope scope, String name) {
        List<?> rows = em().createNativeQuery(SELECT + " where scope_kind = ?1 and scope_name = ?2")
                .setParameter(1, scope.column())
                .setParameter(2, name)
                .getResultList();
        return rows.stream().map(row -> rule((Object[]) row, 0)).findFirst();
    }

    public void replace(RetentionRule rule, String actor) {
        em().createNativeQuery("""
                        insert into retention_rule (scope_kind, scope_name, keep_newest, keep_patterns,
                            remove_tags_older_than_seconds, remove_untagged_older_than_seconds, updated_by,
                            remove_not_pulled_for_seconds)
                        values (?1, ?2, cast(?3 as integer), ?4, cast(?5 as bigint), cast(?6 as bigint), ?7, cast(?8 as bigint))
                        on conflict (scope_kind, scope_name) do update set keep_newest = excluded.keep_newest,
                            keep_patterns = excluded.keep_patterns,
                            remove_tags_older_than_seconds = excluded.remove_tags_older_than_seconds,
                            remove_untagged_older_than_seconds = excluded.remove_untagged_older_than_seconds,
                            remove_not_pulled_for_seconds = excluded.remove_not_pulled_for_seconds,
                            updated_by = excluded.updated_by, updated_at = now()""")
                .setParameter(1, rule.scope().column())
                .setParameter(2, rule.scopeName())
                .setParameter(3, rule.keepNewest().orElse(null))
                .setParameter(4, String.join("\n", rule.keepPatterns()))
                .setParameter(5, rule.removeTagsOlderThan().map(Duration::toSeconds).orElse(null))
                .setParameter(6, rule.removeUntaggedOlderThan().map(Duration::toSeconds).orElse(null))
                .setParameter(7, actor)
                .setParameter(8, rule.removeNotPulledFor().map(Duration::toSeconds).orElse(null))
                .executeUpdate();
    }

    /** Removes a rule; returns false if there was none. */
    public boolean delete(PolicyScope scope, String name) {
        return em().createNativeQuery("delete from retention_rule where scope_kind = ?1 and scope_name = ?2")
                .setParameter(1, scope.column())
                .setParameter(2, name)
                .executeUpdate() > 0;
    }

    /** Every repository some rule governs, with that rule: a repository's own rule wins over its namespace's. */
    public List<Governed> governed() {
        List<?> rows = em().createNativeQuery("""
                        select r.id, r.name, rr.scope_kind, rr.scope_name, rr.keep_newest, rr.keep_patterns,
                               rr.remove_tags_older_than_seconds, rr.remove_untagged_older_than_seconds,
                               rr.remove_not_pulled_for_seconds
                        from repository r
                        join retention_rule rr on (rr.scope_kind = 'repository' and rr.scope_name = r.name)
                            or (rr.scope_kind = 'namespace' and rr.scope_name = split_part(r.name, '/', 1)
                                and not exists (select 1 from retention_rule own
                                                where own.scope_kind = 'repository' and own.scope_name = r.name))
                        order by r.name""")
                .getResultList();
        return rows.stream().map(row -> (Object[]) row)
                .map(row -> new Governed(((Number) row[0]).longValue(), (String) row[1], rule(row, 2))).toList();
    }

    private static final String SELECT = """
            select scope_kind, scope_name, keep_newest, keep_patterns, remove_tags_older_than_seconds,
                   remove_untagged_older_than_seconds, remove_not_pulled_for_seconds from retention_rule""";

    private static RetentionRule rule(Object[] row, int from) {
        String patterns = (String) row[from + 3];
        return new RetentionRule(PolicyScope.fromColumn((String) row[from]), (String) row[from + 1],
                Optional.ofNullable((Number) row[from + 2]).map(Number::intValue),
                patterns == null || patterns.isEmpty() ? List.of() : Arrays.asList(patterns.split("\n")),
                seconds(row[from + 4]), seconds(row[from + 6]), seconds(row[from + 5]));
    }

    private static Optional<Duration> seconds(Object value) {
        return Optional.ofNullable((Number) value).map(n -> Duration.ofSeconds(n.longValue()));
    }
}
