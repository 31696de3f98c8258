package io.berth.auth;

/**
 * Which repositories an upstream registry serves through this one (its pull-through cache), and who
 * may pull them: the server knows the mirror's configuration, the policy asks it. Without a mirror,
 * {@link #NONE}.
 */
public interface PullThrough {

    /** Who may pull a repository that an upstream serves. */
    enum Audience {
        /** Nobody beyond the namespace's own rules: the repository is not mirrored. */
        NOT_MIRRORED,
        /** Every signed-in user (robots only with pull in the mirror's namespace). */
        USERS,
        /** Everyone, anonymous clients included. */
        EVERYONE
    }

    /** No mirror. */
    PullThrough NONE = repository -> Audience.NOT_MIRRORED;

    /** Who may pull {@code repository} through the mirror. */
    Audience audience(String repository);
}
