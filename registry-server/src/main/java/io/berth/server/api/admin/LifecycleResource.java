package io.berth.server.api.admin;

import io.berth.metadata.repository.PolicyScope;
import io.berth.metadata.repository.TagRepository.TagEvent;
import io.berth.server.service.ImmutableTags;
import io.berth.server.service.Quotas;
import io.berth.server.service.Quotas.NamespaceUsage;
import io.berth.server.service.Quotas.RepositoryUsage;
import io.berth.server.service.RetentionService;
import io.berth.server.service.RetentionService.RetentionPolicy;
import io.berth.server.service.TagHistoryService;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;

/**
 * Image lifecycle: immutable-tag patterns and retention rules of namespaces and repositories, each
 * tag's history and putting a tag back on an earlier digest, namespace quotas and usage. A namespace's
 * own administrators manage its rules and see its usage; only Berth's administrators set quotas.
 */
@Path(AdminAccessFilter.PATH)
@Tag(name = "lifecycle")
public class LifecycleResource {

    private final ImmutableTags immutableTags;
    private final TagHistoryService history;
    private final RetentionService retention;
    private final Quotas quotas;
    private final AdminCaller caller;

    public LifecycleResource(ImmutableTags immutableTags, TagHistoryService history, RetentionService retention,
            Quotas quotas, AdminCaller caller) {
        this.quotas = quotas;
        this.immutableTags = immutableTags;
        this.retention = retention;
        this.history = history;
        this.caller = caller;
    }

    /** Glob patterns ({@code *}, {@code ?}) of tags that, once created, are never moved or deleted. */
    public record ImmutablePatterns(List<String> patterns) {
    }

    /** A namespace's quota in bytes of blobs. */
    public record Quota(long bytes) {
    }

    /** The digest to put a tag back on. */
    public record Restore(String digest) {
    }

    @GET
    @Path("namespaces/{name}/immutable-tags")
    @Operation(summary = "The immutable-tag patterns of a namespace")
    @ForNamespaceAdmins(PolicyScope.NAMESPACE)
    public ImmutablePatterns namespacePatterns(@RestPath String name) {
        return new ImmutablePatterns(immutableTags.patterns(PolicyScope.NAMESPACE, name));
    }

    @PUT
    @Path("namespaces/{name}/immutable-tags")
    @Operation(summary = "Replace the immutable-tag patterns of a namespace (they apply to all its repositories)")
    @ForNamespaceAdmins(PolicyScope.NAMESPACE)
    public ImmutablePatterns setNamespacePatterns(@RestPath String name, ImmutablePatterns patterns) {
        Requests.require(patterns == null ? null : patterns.patterns(), "a JSON body with patterns");
        return new ImmutablePatterns(immutableTags.replace(PolicyScope.NAMESPACE, name, patterns.patterns(), caller.name()));
    }

    @GET
    @Path("repositories/{name: .+}/immutable-tags")
    @Operation(summary = "The immutable-tag patterns of a repository (its namespace's apply too)")
    @ForNamespaceAdmins(PolicyScope.REPOSITORY)
    public ImmutablePatterns repositoryPatterns(@RestPath String name) {
        return new ImmutablePatterns(immutableTags.patterns(PolicyScope.REPOSITORY, name));
    }

    @PUT
    @Path("repositories/{name: .+}/immutable-tags")
    @Operation(summary = "Replace the immutable-tag patterns of a repository (added to its namespace's)")
    @ForNamespaceAdmins(PolicyScope.REPOSITORY)
    public ImmutablePatterns setRepositoryPatterns(@RestPath String name, ImmutablePatterns patterns) {
        Requests.require(patterns == null ? null : patterns.patterns(), "a JSON body with patterns");
        return new ImmutablePatterns(immutableTags.replace(PolicyScope.REPOSITORY, name, patterns.patterns(), caller.name()));
    }

    @GET
    @Path("repositories/{name: .+}/tags/{tag}/history")
    @Operation(summary = "A tag's moves and deletion, newest first: from which digest to which, who, when")
    @ForNamespaceAdmins(PolicyScope.REPOSITORY)
    public List<TagEvent> history(@RestPath String name, @RestPath String tag, @RestQuery @DefaultValue("100") int limit) {
        return history.history(name, tag, Math.max(1, Math.min(limit, 1000)));
    }

    @POST
    @Path("repositories/{name: .+}/tags/{tag}/restore")
    @Operation(summary = "Point a tag at an earlier digest again (the repository must still hold that manifest)")
    @ForNamespaceAdmins(PolicyScope.REPOSITORY)
    public Response restore(@RestPath String name, @RestPath String tag, Restore restore) {
        Requests.require(restore == null ? null : restore.digest(), "a JSON body with digest");
        history.restore(name, tag, restore.digest(), caller.name());
        return Response.noContent().build();
    }

    @GET
    @Path("namespaces/{name}/retention")
    @Operation(summary = "The retention rule of a namespace (it governs every repository without a rule of its own)")
    @ForNamespaceAdmins(PolicyScope.NAMESPACE)
    public RetentionPolicy namespaceRetention(@RestPath String name) {
        return retention.find(PolicyScope.NAMESPACE, name);
    }

    @PUT
    @Path("namespaces/{name}/retention")
    @Operation(summary = "Set the retention rule of a namespace; the garbage collector applies it on each run")
    @ForNamespaceAdmins(PolicyScope.NAMESPACE)
    public RetentionPolicy setNamespaceRetention(@RestPath String name, RetentionPolicy policy) {
        Requests.require(policy, "a JSON body with the rule");
        return retention.replace(PolicyScope.NAMESPACE, name, policy, caller.name());
    }

    @DELETE
    @Path("namespaces/{name}/retention")
    @Operation(summary = "Remove the retention rule of a namespace")
    @ForNamespaceAdmins(PolicyScope.NAMESPACE)
    public Response deleteNamespaceRetention(@RestPath String name) {
        retention.delete(PolicyScope.NAMESPACE, name);
        return Response.noContent().build();
    }

    @GET
    @Path("repositories/{name: .+}/retention")
    @Operation(summary = "The retention rule of a repository (it replaces its namespace's)")
    @ForNamespaceAdmins(PolicyScope.REPOSITORY)
    public RetentionPolicy repositoryRetention(@RestPath String name) {
        return retention.find(PolicyScope.REPOSITORY, name);
    }

    @PUT
    @Path("repositories/{name: .+}/retention")
    @Operation(summary = "Set the retention rule of a repository; the garbage collector applies it on each run")
    @ForNamespaceAdmins(PolicyScope.REPOSITORY)
    public RetentionPolicy setRepositoryRetention(@RestPath String name, RetentionPolicy policy) {
        Requests.require(policy, "a JSON body with the rule");
        return retention.replace(PolicyScope.REPOSITORY, name, policy, caller.name());
    }

    @DELETE
    @Path("repositories/{name: .+}/retention")
    @Operation(summary = "Remove the retention rule of a repository (its namespace's applies again)")
    @ForNamespaceAdmins(PolicyScope.REPOSITORY)
    public Response deleteRepositoryRetention(@RestPath String name) {
        retention.delete(PolicyScope.REPOSITORY, name);
        return Response.noContent().build();
    }

    @GET
    @Path("namespaces/{name}/usage")
    @Operation(summary = "What a namespace's repositories use (each blob once) and its quota, if any")
    @ForNamespaceAdmins(PolicyScope.NAMESPACE)
    public NamespaceUsage namespaceUsage(@RestPath String name) {
        return quotas.namespaceUsage(name);
    }

    @GET
    @Path("repositories/{name: .+}/usage")
    @Operation(summary = "What a repository's blobs take")
    @ForNamespaceAdmins(PolicyScope.REPOSITORY)
    public RepositoryUsage repositoryUsage(@RestPath String name) {
        return quotas.repositoryUsage(name);
    }

    @PUT
    @Path("namespaces/{name}/quota")
    @Operation(summary = "Set a namespace's quota in bytes: uploads, mounts and pushes past it are refused")
    public NamespaceUsage setQuota(@RestPath String name, Quota quota) {
        Requests.require(quota, "a JSON body with bytes");
        return quotas.setQuota(name, quota.bytes(), caller.name());
    }

    @DELETE
    @Path("namespaces/{name}/quota")
    @Operation(summary = "Remove a namespace's quota")
    public Response removeQuota(@RestPath String name) {
        quotas.removeQuota(name);
        return Response.noContent().build();
    }
}
