package io.berth.server.api.admin;

import io.berth.auth.UserService;
import io.berth.auth.UserService.User;
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

/** {@code /api/v1/users}: local users, each with a personal namespace of the same name. */
@Path(AdminAccessFilter.PATH + "/users")
@Tag(name = "users")
public class UserResource {

    private final UserService users;

    public UserResource(UserService users) {
        this.users = users;
    }

    public record NewUser(String name, String password, boolean administrator) {
    }

    public record PasswordChange(String password) {
    }

    public record AdministratorChange(boolean administrator) {
    }

    @GET
    @Operation(summary = "List users")
    public List<User> list() {
        return users.listUsers();
    }

    @POST
    @Operation(summary = "Create a user and its personal namespace")
    public Response create(NewUser user) {
        Requests.require(user, "a JSON body with name and password");
        return Response.status(201).entity(users.createUser(user.name(), user.password(), user.administrator())).build();
    }

    @GET
    @Path("{name}")
    @Operation(summary = "Show a user")
    public User get(@RestPath String name) {
        return users.getUser(name);
    }

    @DELETE
    @Path("{name}")
    @Operation(summary = "Delete a user")
    public Response delete(@RestPath String name) {
        users.deleteUser(name);
        return Response.noContent().build();
    }

    @PUT
    @Path("{name}/password")
    @Operation(summary = "Set a user's password (revokes its refresh tokens)")
    public Response password(@RestPath String name, PasswordChange change) {
        Requests.require(change, "a JSON body with password");
        users.setPassword(name, change.password());
        return Response.noContent().build();
    }

    @PUT
    @Path("{name}/administrator")
    @Operation(summary = "Make a user an administrator, or not")
    public User administrator(@RestPath String name, AdministratorChange change) {
        Requests.require(change, "a JSON body with administrator");
        return users.setAdministrator(name, change.administrator());
    }
}
