package io.berth.metadata.repository;

import io.quarkus.hibernate.orm.panache.Panache;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.util.Collection;
import java.util.List;

/** The immutable-tag patterns of namespaces and repositories. */
@ApplicationScoped
public class ImmutableTagRuleRepository {

    /** A pattern and where it is declared, so that a refusal can name the rule. */
    public record Rule(PolicyScope scope, String scopeName, String pattern) {
    }

    private static EntityManager em() {
        return Panache.getEntityManager();
    }

    /** The patterns that apply to a repository: its own and its namespace's. */
    public List<Rule> rulesFor(String repository, String namespace) {
        List<?> rows = em().createNativeQuery("""
                        select scope_kind, scope_name, pattern from immutable_tag_rule
                        where (scope_kind = 'repository' and scope_name = ?1) or (scope_kind = 'namespace' and scope_name = ?2)
                        order by scope_kind, pattern""")
                .setParameter(1, repository)
                .setParameter(2, namespace)
                .getResultList();
        return rows.stream().map(row -> (Object[]) row)
                .map(row -> new Rule(PolicyScope.fromColumn((String) row[0]), (String) row[1], (String) row[2])).toList();
    }

    /** The patterns declared on one namespace or repository. */
    @SuppressWarnings("unchecked")
    public List<String> patterns(PolicyScope scope, String name) {
        return em().createNativeQuery("""
                        select pattern from immutable_tag_rule where scope_kind = ?1 and scope_name = ?2 order by pattern""")
                .setParameter(1, scope.column())
                .setParameter(2, name)
                .getResultList();
    }

    /** Replaces the patterns declared on one namespace or repository. */
    public void replace(PolicyScope scope, String name, Collection<String> patterns, String actor) {
        em().createNativeQuery("delete from immutable_tag_rule where scope_kind = ?1 and scope_name = ?2")
                .setParameter(1, scope.column())
                .setParameter(2, name)
                .executeUpdate();
        for (String pattern : patterns) {
            em().createNativeQuery("""
                            insert into immutable_tag_rule (scope_kind, scope_name, pattern, created_by) values (?1, ?2, ?3, ?4)
                            on conflict do nothing""")
                    .setParameter(1, scope.column())
                    .setParameter(2, name)
                    .setParameter(3, pattern)
                    .setParameter(4, actor)
                    .executeUpdate();
        }
    }
}
