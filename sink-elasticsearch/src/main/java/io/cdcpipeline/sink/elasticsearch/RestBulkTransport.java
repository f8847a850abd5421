package io.cdcpipeline.sink.elasticsearch;

import java.io.IOException;
import java.util.List;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.Response;
import org.elasticsearch.client.ResponseException;
import org.elasticsearch.client.RestClient;

/**
 * {@code _bulk} through the low-level REST client: the body streamed from the actions ({@link BulkBody}), the answer
 * read item by item with a streaming parser ({@link Item}).
 */
final class RestBulkTransport implements BulkTransport {

    private final RestClient client;
    private final String waitForActiveShards;

    /** @param waitForActiveShards shard copies each write waits for ({@code wait.for.active.shards}) */
    RestBulkTransport(RestClient client, String waitForActiveShards) {
        this.client = client;
        this.waitForActiveShards = waitForActiveShards;
    }

    @Override
    public List<Item> send(List<DocumentAction> actions) throws IOException, RequestRefused {
        Request request = new Request("POST", "/_bulk");
        request.addParameter("wait_for_active_shards", waitForActiveShards);
        request.setEntity(new BulkBody(actions));
        try {
            Response response = client.performRequest(request);
            return Item.read(response.getEntity().getContent());
        } catch (ResponseException e) {
            throw new RequestRefused(e.getResponse().getStatusLine().getStatusCode(), e.getMessage(), e);
        }
    }
}
