# bin/cdc deploy: puts connect-configs/connect on a Kafka Connect cluster (validate, create or update, status).

DEPLOY_CP_FILE="$CDC_HOME/connectors/deploy/target/deploy.classpath"

deploy_build() {
  log "building the deploy command (./mvnw install -pl connectors/deploy -am, no tests)" >&2
  (cd "$CDC_HOME" && mvnw -DskipTests install -pl connectors/deploy -am \
    && mvnw -f connectors/deploy/pom.xml dependency:build-classpath -DincludeScope=runtime -Dmdep.regenerateFile=true \
      -Dmdep.outputFile="$DEPLOY_CP_FILE") >&2 || die "building the deploy command failed"
}

deploy_main() {
  local cp="${CDC_DEPLOY_CLASSPATH:-}" # the test suite hands its own, so no build runs inside a build
  # --status checks each Postgres source's stored position against its slot with the connector's own settings,
  # which read ${env:CDC_PG_*} on the worker: the local stack's worker has these.
  export CDC_PG_HOST="${CDC_PG_HOST:-$CDC_BIND_HOST}" CDC_PG_PORT CDC_PG_USER
  if [ -z "$cp" ]; then
    build_current "$DEPLOY_CP_FILE" || deploy_build
    cp="$CDC_HOME/connectors/deploy/target/classes:$(cat "$DEPLOY_CP_FILE")"
  fi
  exec "$(java_home)/bin/java" -Xmx128m -Dcdc.home="$CDC_HOME" -cp "$cp" io.cdcpipeline.deploy.DeployMain "$@"
}
