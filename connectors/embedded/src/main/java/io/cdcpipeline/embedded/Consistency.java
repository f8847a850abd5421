package io.cdcpipeline.embedded;

import io.cdcpipeline.core.consistency.CopyCheck;
import java.nio.file.Path;
import java.util.List;

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
        PipelineFile file = pipelineFile != null ? PipelineFile.load(pipelineFile)
                : ConnectConfigs.load(connectConfigs, System.getenv());
        try (ValidateMain.Validation validation = new ValidateMain.Validation(file, List.of(), options)) {
            return validation.check(tables);
        }
    }
}
