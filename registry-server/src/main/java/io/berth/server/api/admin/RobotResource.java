package io.berth.server.api.admin;

import io.berth.auth.AccountException;
import io.berth.auth.Action;
import io.berth.auth.RobotService;
import io.berth.auth.RobotService.Robot;
import io.berth.auth.RobotService.RobotCredentials;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestPath;

/**
 * {@code /api/v1/robots}: accounts for CI pipelines, named {@code robot+<name>}, allowed chosen actions
 * in chosen namespaces, with an expiry. The secret is shown once, when created or regenerated.
 */
@Path(AdminAccessFilter.PATH + "/robots")
@Tag(name = "robots")
public class RobotResource {

    private final RobotService robots;

    public RobotResource(RobotService robots) {
        this.robots = robots;
    }

    /**
     * A robot to create: {@code permissions} maps namespaces to actions ({@code pull}, {@code push},
     * {@code delete}); {@code expiresAt} is an ISO-8601 instant, or absent for no expiry.
     */
    public record NewRobot(String name, String description, Map<String, List<String>> permissions, Instant expiresAt) {
    }

    @GET
    @Operation(summary = "List robots (never their secrets)")
    public List<Robot> list() {
        return robots.listRobots();
    }

    @POST
    @Operation(summary = "Create a robot; the answer holds its secret, shown only this once")
    public Response create(NewRobot robot) {
        Requests.require(robot, "a JSON body with name and permissions");
        Map<String, Set<Action>> permissions = new LinkedHashMap<>();
        Optional.ofNullable(robot.permissions()).orElse(Map.of()).forEach((namespace, actions) -> {
            EnumSet<Action> parsed = EnumSet.noneOf(Action.class);
            for (String action : Optional.ofNullable(actions).orElse(List.of())) {
                parsed.add(Action.fromWireName(action).orElseThrow(() -> new AccountException(AccountException.Reason.INVALID,
                        "unknown action " + action + "; use pull, push or delete")));
            }
            permissions.put(namespace, parsed);
        });
        RobotCredentials created = robots.createRobot(robot.name(), robot.description(), permissions,
                Optional.ofNullable(robot.expiresAt()));
        return Response.status(201).entity(created).build();
    }

    @GET
    @Path("{name}")
    @Operation(summary = "Show a robot")
    public Robot get(@RestPath String name) {
        return robots.getRobot(name);
    }

    @DELETE
    @Path("{name}")
    @Operation(summary = "Delete a robot")
    public Response delete(@RestPath String name) {
        robots.deleteRobot(name);
        return Response.noContent().build();
    }

    @POST
    @Path("{name}/secret")
    @Operation(summary = "Give a robot a new secret; the old one stops working")
    public RobotCredentials regenerate(@RestPath String name) {
        return robots.regenerateSecret(name);
    }
}
