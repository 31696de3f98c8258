package io.berth.server.service;

import io.berth.auth.AccountException;
import io.berth.gc.TagPattern;
import io.berth.metadata.repository.PolicyScope;
import io.berth.metadata.repository.RetentionRuleRepository;
import io.berth.metadata.repository.RetentionRuleRepository.RetentionRule;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;

/**
 * Retention rules as the admin API manages them; the garbage collector applies them on each run (see
 * {@code io.berth.gc.Retention}), and a dry run shows what they would remove.
 */
@ApplicationScoped
public class RetentionService {

    private final RetentionRuleRepository rules;

    public RetentionService(RetentionRuleRepository rules) {
        this.rules = rules;
    }

    /** A rule as the API shows it; the durations are ISO-8601 ({@code P30D}, {@code PT12H}). */
    public record RetentionPolicy(Integer keepNewest, List<String> keepPatterns, String removeTagsOlderThan,
            String removeNotPulledFor, String removeUntaggedOlderThan) {
    }

    public RetentionPolicy find(PolicyScope scope, String name) {
        String checked = PolicyNames.checked(scope, name);
        return QuarkusTransaction.requiringNew().call(() -> rules.find(scope, checked)).map(RetentionService::toPolicy)
                .orElseThrow(() -> new AccountException(AccountException.Reason.NOT_FOUND,
                        "no retention rule on " + scope.name().toLowerCase() + " " + name));
    }

    public RetentionPolicy replace(PolicyScope scope, String name, RetentionPolicy policy, String actor) {
        String checked = PolicyNames.checked(scope, name);
        if (policy.keepNewest() != null && policy.keepNewest() < 0) {
            throw invalid("keepNewest must be 0 or more");
        }
        List<String> patterns = policy.keepPatterns() == null ? List.of() : policy.keepPatterns();
        patterns.stream().filter(glob -> !TagPattern.valid(glob)).findFirst().ifPresent(glob -> {
            throw invalid("'" + glob + "' in keepPatterns is not a tag pattern");
        });
        RetentionRule rule = new RetentionRule(scope, checked, Optional.ofNullable(policy.keepNewest()),
                patterns.stream().distinct().sorted().toList(), duration("removeTagsOlderThan", policy.removeTagsOlderThan()),
                duration("removeNotPulledFor", policy.removeNotPulledFor()),
                duration("removeUntaggedOlderThan", policy.removeUntaggedOlderThan()));
        QuarkusTransaction.requiringNew().run(() -> rules.replace(rule, actor));
        return toPolicy(rule);
    }

    public void delete(PolicyScope scope, String name) {
        String checked = PolicyNames.checked(scope, name);
        if (!QuarkusTransaction.requiringNew().call(() -> rules.delete(scope, checked))) {
            throw new AccountException(AccountException.Reason.NOT_FOUND, "no retention rule on "
                    + scope.name().toLowerCase() + " " + name);
        }
    }

    private static Optional<Duration> duration(String field, String value) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        try {
            Duration duration = Duration.parse(value);
            if (duration.isNegative() || duration.isZero()) {
                throw invalid(field + " must be a positive duration");
            }
            return Optional.of(duration);
        } catch (DateTimeParseException e) {
            throw invalid(field + " '" + value + "' is not an ISO-8601 duration such as P30D or PT12H");
        }
    }

    private static RetentionPolicy toPolicy(RetentionRule rule) {
        return new RetentionPolicy(rule.keepNewest().orElse(null), rule.keepPatterns(),
                rule.removeTagsOlderThan().map(Duration::toString).orElse(null),
                rule.removeNotPulledFor().map(Duration::toString).orElse(null),
                rule.removeUntaggedOlderThan().map(Duration::toString).orElse(null));
    }


    private static AccountException invalid(String message) {
        return new AccountException(AccountException.Reason.INVALID, message);
    }
}
