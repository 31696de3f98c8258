package io.berth.server.api.admin;

import io.berth.metadata.repository.PolicyScope;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks an admin API operation that a namespace's own administrators may use on their namespace, not
 * only Berth's administrators: an organization's {@code admin} members, and a user in the namespace of
 * their name ({@link AdminAccessFilter} checks it). The path parameter {@code name} names the
 * namespace ({@link PolicyScope#NAMESPACE}) or a repository in it ({@link PolicyScope#REPOSITORY}).
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface ForNamespaceAdmins {

    PolicyScope value();
}
