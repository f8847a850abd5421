package io.cdcpipeline.sink.elasticsearch;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Of several writes of one document waiting to be sent, only the one with the newest version counts: with external
 * versions Elasticsearch would index it and refuse the older ones, or index an older one first only to replace it.
 * A backlog of updates to the same rows (a catch-up) sends each document once per batch instead of once per change.
 */
final class NewestVersions {

    private NewestVersions() {
    }

    /** The actions without those a newer version of the same document (same index or alias, same id) follows. */
    static List<DocumentAction> of(List<DocumentAction> actions) {
        String[] keys = new String[actions.size()];
        Map<String, Integer> newest = new HashMap<>(actions.size() * 2);
        for (int i = 0; i < actions.size(); i++) {
            keys[i] = key(actions.get(i));
            Integer before = newest.putIfAbsent(keys[i], i);
            if (before != null && actions.get(before).version() <= actions.get(i).version()) {
                newest.put(keys[i], i);
            }
        }
        if (newest.size() == actions.size()) {
            return actions;
        }
        List<DocumentAction> kept = new ArrayList<>(newest.size());
        for (int i = 0; i < actions.size(); i++) {
            if (newest.get(keys[i]) == i) {
                kept.add(actions.get(i));
            }
        }
        return kept;
    }

    private static String key(DocumentAction action) {
        return action.alias() + '\u0000' + action.id();
    }
}
