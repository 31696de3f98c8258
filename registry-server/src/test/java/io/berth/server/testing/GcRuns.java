package io.berth.server.testing;

import static io.berth.server.api.RegistryClient.request;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;

/** Garbage collection runs through the admin API, as the tests start and await them. */
public final class GcRuns {

    private GcRuns() {
    }

    /** Runs the collector and returns the finished run's report, asserting it finished. */
    public static JsonPath collect(boolean dryRun) {
        return finished(start(dryRun));
    }

    /** Runs the collector over every row, not only what changed since the last run. */
    public static JsonPath collectEverything() {
        return finished(start(false, true));
    }

    private static JsonPath finished(long id) {
        JsonPath run = await(id);
        assertEquals("finished", run.getString("status"), run.prettify());
        return run;
    }

    /** Starts a run (202, pending) and returns its id. */
    public static long start(boolean dryRun) {
        return start(dryRun, false);
    }

    private static long start(boolean dryRun, boolean full) {
        Response started = request().contentType("application/json")
                .body("{\"dryRun\":" + dryRun + ",\"full\":" + full + "}").post("/api/v1/gc");
        started.then().statusCode(202).body("status", equalTo("pending")).header("Location", containsString("/api/v1/gc/runs/"));
        return started.jsonPath().getLong("id");
    }

    /** Waits for a run to end and returns it. */
    public static JsonPath await(long id) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(120));
        while (Instant.now().isBefore(deadline)) {
            JsonPath run = request().get("/api/v1/gc/runs/" + id).then().statusCode(200).extract().jsonPath();
            if (Set.of("finished", "failed", "skipped").contains(run.getString("status"))) {
                return run;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        throw new AssertionError("garbage collection run " + id + " did not end within 120 s");
    }
}
