package io.berth.auth;

import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

/** {@link PullThrough#NONE} unless the application provides a mirror. */
@ApplicationScoped
class PullThroughDefault {

    @Produces
    @DefaultBean
    @ApplicationScoped
    PullThrough none() {
        return PullThrough.NONE;
    }
}
