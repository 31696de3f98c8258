package io.berth.server.api.admin;

import io.berth.auth.AccountException;
import io.berth.auth.OrganizationService;
import io.berth.auth.OrganizationService.Organization;
import io.berth.auth.Role;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestPath;

/** {@code /api/v1/organizations}: shared namespaces and their members' roles. */
@Path(AdminAccessFilter.PATH + "/organizations")
@Tag(name = "organizations")
public class OrganizationResource {

    private final OrganizationService organizations;

    public OrganizationResource(OrganizationService organizations) {
        this.organizations = organizations;
    }

    public record NewOrganization(String name) {
    }

    /** A role: {@code read}, {@code write}, {@code delete} or {@code admin}. */
    public record Membership(String role) {
    }

    @GET
    @Operation(summary = "List organizations with their members")
    public List<Organization> list() {
        return organizations.listOrganizations();
    }

    @POST
    @Operation(summary = "Create an organization")
    public Response create(NewOrganization organization) {
        Requests.require(organization, "a JSON body with name");
        return Response.status(201).entity(organizations.createOrganization(organization.name())).build();
    }

    @GET
    @Path("{name}")
    @Operation(summary = "Show an organization and its members")
    public Organization get(@RestPath String name) {
        return organizations.getOrganization(name);
    }

    @DELETE
    @Path("{name}")
    @Operation(summary = "Delete an organization (its repositories stay, reachable by administrators)")
    public Response delete(@RestPath String name) {
        organizations.deleteOrganization(name);
        return Response.noContent().build();
    }

    @PUT
    @Path("{name}/members/{account}")
    @Operation(summary = "Give a user or robot a role in the organization")
    public Organization putMember(@RestPath String name, @RestPath String account, Membership membership) {
        Requests.require(membership, "a JSON body with role");
        Role role = Role.fromWireName(String.valueOf(membership.role())).orElseThrow(() -> new AccountException(
                AccountException.Reason.INVALID, "unknown role " + membership.role() + "; use read, write, delete or admin"));
        return organizations.putMember(name, account, role);
    }

    @DELETE
    @Path("{name}/members/{account}")
    @Operation(summary = "Remove a member")
    public Response removeMember(@RestPath String name, @RestPath String account) {
        organizations.removeMember(name, account);
        return Response.noContent().build();
    }
}
