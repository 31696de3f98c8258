package io.berth.server.api.v2;

import io.berth.server.domain.RepositoryName;
import io.berth.server.error.OciErrorCode;
import io.berth.server.service.Page;
import io.berth.server.service.TagService;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;

/** {@code GET /v2/<name>/tags/list?n=&last=}: a repository's tags in lexical order, paged with {@code Link}. */
@Path("/v2")
public class TagResource {

    private final TagService tags;

    public TagResource(TagService tags) {
        this.tags = tags;
    }

    /** The tags/list body. */
    public record TagList(String name, List<String> tags) {
    }

    @GET
    @Path(Routes.TAGS)
    @Produces(MediaType.APPLICATION_JSON)
    public Response list(@RestPath String name, @RestQuery String n, @RestQuery String last) {
        RepositoryName repository = new RepositoryName(name);
        Page page = tags.list(repository, Paging.size(n), Paging.last(last, OciErrorCode.TAG_INVALID));
        return Paging.linked(Response.ok(new TagList(repository.value(), page.entries())), page,
                "/v2/" + repository.value() + "/tags/list").build();
    }
}
