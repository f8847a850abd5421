package io.cdcpipeline.embedded;

import io.cdcpipeline.core.TableId;
import io.cdcpipeline.core.consistency.CopyCheck;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The checks of {@code bin/cdc validate} for other programs (the lag monitor's scheduled checks): the copies a
 * pipeline file, or a Connect deployment's connector files, describe, checked against Postgres.
 */
public final class Consistency {

    private Consistency() {
    }

    /**
     * @param pipelineFile   a pipeline file, or null
     * @param connectConfigs a Connect deployment's connector files (folder or file), or null
     * @param tables         schema.table names; empty: every captured table
     */
    public static List<CopyCheck.Result> check(Path pipelineFile, Path connectConfigs, List<String> tables,
            CopyCheck.Options options) throws Exception {
        try (ValidateMain.Validation validation = new ValidateMain.Validation(load(pipelineFile, connectConfigs),
                List.of(), options)) {
            return validation.check(tables);
        }
    }

    /** The columns and their types ({@code pg_type.typname}) of the tables a check would check, as Postgres has them. */
    public static Map<TableId, Map<String, String>> columns(Path pipelineFile, Path connectConfigs,
            List<String> tables) throws Exception {
        try (ValidateMain.Validation validation = new ValidateMain.Validation(load(pipelineFile, connectConfigs),
                List.of(), null)) {
            return validation.columns(tables);
        }
    }

    private static PipelineFile load(Path pipelineFile, Path connectConfigs) throws Exception {
        return pipelineFile != null ? PipelineFile.load(pipelineFile) : ConnectConfigs.load(connectConfigs,
                System.getenv());
    }
}
