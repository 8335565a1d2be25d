# shellcheck shell=bash
# Shared by stack/start, stack/stop, stack/component and stack/kubectl. Not executable on its own.

STACK_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$STACK_DIR/.." && pwd)
# shellcheck source=versions.env
. "$STACK_DIR/versions.env"

CACHE=${GITOPS_STACK_CACHE:-$HOME/.cache/gitops-stack}

log() { printf '[stack%s %s] %s\n' "${STACK_CLUSTER_TAG:-}" "$(date +%H:%M:%S)" "$*"; }
die() { printf '[stack%s] ERROR: %s\n' "${STACK_CLUSTER_TAG:-}" "$*" >&2; exit 1; }

# Two clusters can run side by side. The primary one (the default) has
# Gitea; GITOPS_STACK_CLUSTER=second is a cluster of its own (etcd, API
# server, controllers, Flux) that pulls from the primary's Gitea, for the
# tests that put an entity's environments on two clusters. Its state lives
# inside the primary's, so stack/stop and a reset take both.
STACK_CLUSTER=${GITOPS_STACK_CLUSTER:-primary}
BASE_STATE=${GITOPS_STACK_STATE:-$REPO_ROOT/.stack}
case $STACK_CLUSTER in
  primary) STATE=$BASE_STATE STACK_CLUSTER_TAG="" ;;
  second) STATE=$BASE_STATE/second-cluster STACK_CLUSTER_TAG=" second" ;;
  *) die "GITOPS_STACK_CLUSTER must be primary or second, not '$STACK_CLUSTER'" ;;
esac
SECOND_CLUSTER_STATE=$BASE_STATE/second-cluster

# ---- ports (all on 127.0.0.1; Backstage keeps 3000, 7007 and 5432) ----
if [[ $STACK_CLUSTER == primary ]]; then
  ETCD_CLIENT_PORT=12379
  ETCD_PEER_PORT=12380
  APISERVER_PORT=16443
  KCM_PORT=16257
  SCHEDULER_PORT=16259
  KWOK_PORT=16280
  SOURCE_STORAGE_PORT=9090
  NOTIFICATION_EVENTS_PORT=9690
  NOTIFICATION_RECEIVER_PORT=9292
  # metrics / health probe ports of the Flux controllers
  declare -A FLUX_METRICS_PORT=([source-controller]=18081 [kustomize-controller]=18082 [helm-controller]=18083 [notification-controller]=18084)
  declare -A FLUX_HEALTH_PORT=([source-controller]=19441 [kustomize-controller]=19442 [helm-controller]=19443 [notification-controller]=19444)
else
  ETCD_CLIENT_PORT=13379
  ETCD_PEER_PORT=13380
  APISERVER_PORT=17443
  KCM_PORT=17257
  SCHEDULER_PORT=17259
  KWOK_PORT=17280
  SOURCE_STORAGE_PORT=9190
  NOTIFICATION_EVENTS_PORT=9790
  NOTIFICATION_RECEIVER_PORT=9392
  declare -A FLUX_METRICS_PORT=([source-controller]=18181 [kustomize-controller]=18182 [helm-controller]=18183 [notification-controller]=18184)
  declare -A FLUX_HEALTH_PORT=([source-controller]=19541 [kustomize-controller]=19542 [helm-controller]=19543 [notification-controller]=19544)
fi
GITEA_PORT=3300
# Gitea's built-in SSH server: Flux pulls tenant repositories with read-only deploy keys
GITEA_SSH_PORT=3322

FLUX_CONTROLLERS=(source-controller kustomize-controller helm-controller notification-controller)
CLUSTER_COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok "${FLUX_CONTROLLERS[@]}")
if [[ $STACK_CLUSTER == primary ]]; then
  ALL_COMPONENTS=("${CLUSTER_COMPONENTS[@]}" gitea)
  CLUSTER_NAME=gitops-stack
else
  ALL_COMPONENTS=("${CLUSTER_COMPONENTS[@]}")
  CLUSTER_NAME=gitops-stack-second
fi
FLUX_NAMESPACE=flux-system
GITEA_ORG=gitops
GITEA_ADMIN_USER=gitops-admin
KWOK_NODES=(kwok-node-0 kwok-node-1)

K8S_BIN=$CACHE/bin/kubernetes/$KUBERNETES_VERSION
PKI=$STATE/pki
KUBECONFIG_FILE=$STATE/kubeconfig
LOGS=$STATE/logs
PIDS=$STATE/pids
API_URL=https://127.0.0.1:$APISERVER_PORT

flux_version_of() {
  case $1 in
    source-controller) echo "$SOURCE_CONTROLLER_VERSION" ;;
    kustomize-controller) echo "$KUSTOMIZE_CONTROLLER_VERSION" ;;
    helm-controller) echo "$HELM_CONTROLLER_VERSION" ;;
    notification-controller) echo "$NOTIFICATION_CONTROLLER_VERSION" ;;
  esac
}

is_flux_controller() { case $1 in source-controller | kustomize-controller | helm-controller | notification-controller) return 0 ;; esac; return 1; }

# Path of the binary that runs a component.
binary_of() {
  case $1 in
    etcd) echo "$CACHE/bin/etcd/$ETCD_VERSION/etcd" ;;
    kube-apiserver | kube-controller-manager | kube-scheduler) echo "$K8S_BIN/$1" ;;
    kwok) echo "$CACHE/bin/kwok/$KWOK_VERSION/kwok" ;;
    gitea) echo "$CACHE/bin/gitea/$GITEA_VERSION/gitea" ;;
    *) is_flux_controller "$1" || die "unknown component '$1' (known: ${ALL_COMPONENTS[*]})"
       echo "$CACHE/bin/$1/$(flux_version_of "$1")/$1" ;;
  esac
}

check_component() {
  local c
  for c in "${ALL_COMPONENTS[@]}"; do [[ $c == "$1" ]] && return 0; done
  die "unknown component '$1' (known: ${ALL_COMPONENTS[*]})"
}

require_binaries() {
  local c missing=()
  for c in "$@"; do [[ -x $(binary_of "$c") ]] || missing+=("$c"); done
  [[ -x $K8S_BIN/kubectl ]] || missing+=(kubectl)
  [[ ${#missing[@]} -eq 0 ]] || die "not built: ${missing[*]} - run stack/build first"
}

kc() { "$K8S_BIN/kubectl" --kubeconfig "$KUBECONFIG_FILE" "$@"; }

# ---- processes ----
# alive <pid>: exists and is not a zombie (PID 1 here reaps orphans only about once a second).
alive() {
  local st
  [[ -n $1 ]] && kill -0 "$1" 2>/dev/null || return 1
  st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
  [[ -n $st && $st != Z && $st != X ]]
}

pid_of() { [[ -f $PIDS/$1.pid ]] && cat "$PIDS/$1.pid"; }

# Running = the pid in the pid file is alive and is this component's binary.
is_running() {
  local pid exe
  pid=$(pid_of "$1" 2>/dev/null) || return 1
  alive "$pid" || return 1
  exe=$(readlink "/proc/$pid/exe" 2>/dev/null) || return 1
  [[ $exe == "$(binary_of "$1")" ]]
}

# Every live process started from the cache's binaries for THIS cluster's state
# directory (each carries GITOPS_STACK_INSTANCE=<state> in its environment).
stack_pids() {
  local pid
  for pid in $(pgrep -f -- "$CACHE/bin/" 2>/dev/null); do
    alive "$pid" || continue
    tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -qxF "GITOPS_STACK_INSTANCE=$STATE" && echo "$pid"
  done
  return 0
}

port_busy() { [[ -n $(ss -ltnH "sport = :$1" 2>/dev/null) ]]; }

# spawn <component> <env...> -- <command...>: background process in its own session.
spawn() {
  local c=$1 envs=()
  shift
  while [[ $1 != -- ]]; do envs+=("$1"); shift; done
  shift
  mkdir -p "$LOGS" "$PIDS"
  printf '\n==== %s start %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$c" >>"$LOGS/$c.log"
  # 9>&-: do not hand the lock of stack/start (fd 9) down to the long-running process
  env GITOPS_STACK_STATE="$BASE_STATE" GITOPS_STACK_CLUSTER="$STACK_CLUSTER" GITOPS_STACK_INSTANCE="$STATE" \
    "${envs[@]}" setsid "$@" </dev/null >>"$LOGS/$c.log" 2>&1 9>&- &
  echo $! >"$PIDS/$c.pid"
}

# wait_until <seconds> <description> <command...>
wait_until() {
  local timeout=$1 what=$2 t0=$SECONDS
  shift 2
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS - t0 >= timeout)); then
      log "timed out after ${timeout}s waiting for $what"
      return 1
    fi
    sleep 0.3
  done
}

# wait_ready <component> <seconds> <description> <command...>: like wait_until, but gives up
# as soon as the component's process has exited.
wait_ready() {
  local c=$1 timeout=$2 what=$3 t0=$SECONDS
  shift 3
  until "$@" >/dev/null 2>&1; do
    if ! alive "$(pid_of "$c")"; then
      log "$c exited while waiting for $what"
      return 1
    fi
    if ((SECONDS - t0 >= timeout)); then
      log "timed out after ${timeout}s waiting for $what"
      return 1
    fi
    sleep 0.3
  done
}

# Stops one process: TERM, then KILL after a grace period.
stop_process() {
  local c=$1 pid
  pid=$(pid_of "$c" 2>/dev/null) || { rm -f "$PIDS/$c.pid"; return 0; }
  if is_running "$c"; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do alive "$pid" || break; sleep 0.1; done
    if alive "$pid"; then
      log "$c (pid $pid) ignored SIGTERM for 10s: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.2
    fi
    log "$c stopped (pid $pid)"
  fi
  rm -f "$PIDS/$c.pid"
}

# ---- health checks ----
admin_token() { cat "$PKI/admin.token"; }
etcd_healthy() { curl -fsS --max-time 2 "http://127.0.0.1:$ETCD_CLIENT_PORT/health" | grep -q '"health":"true"'; }
apiserver_ready() { [[ $(curl -sS --max-time 2 --cacert "$PKI/ca.crt" -H "Authorization: Bearer $(admin_token)" "$API_URL/readyz") == ok ]]; }
https_healthz() { [[ $(curl -ksS --max-time 2 "https://127.0.0.1:$1/healthz") == ok ]]; }
http_ok() { curl -fsS --max-time 2 -o /dev/null "$1"; }

component_healthy() {
  case $1 in
    etcd) etcd_healthy ;;
    kube-apiserver) apiserver_ready ;;
    kube-controller-manager) https_healthz "$KCM_PORT" ;;
    kube-scheduler) https_healthz "$SCHEDULER_PORT" ;;
    kwok) http_ok "http://127.0.0.1:$KWOK_PORT/healthz" ;;
    gitea) http_ok "http://127.0.0.1:$GITEA_PORT/api/v1/version" ;;
    *) http_ok "http://127.0.0.1:${FLUX_HEALTH_PORT[$1]}/readyz" ;;
  esac
}

# ---- PKI, kubeconfig ----
ensure_pki() {
  mkdir -p "$PKI"
  chmod 700 "$PKI"
  if [[ ! -f $PKI/ca.crt ]]; then
    log "generating a self-signed CA and the apiserver certificate in $PKI (first start)"
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=gitops-stack-ca" \
      -keyout "$PKI/ca.key" -out "$PKI/ca.crt" 2>/dev/null
    rm -f "$PKI/apiserver.crt"
  fi
  if [[ ! -f $PKI/apiserver.crt ]]; then
    openssl req -newkey rsa:2048 -nodes -subj "/CN=kube-apiserver" \
      -keyout "$PKI/apiserver.key" -out "$PKI/apiserver.csr" 2>/dev/null
    printf '%s\n' "subjectAltName=IP:127.0.0.1,IP:10.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local" \
      "extendedKeyUsage=serverAuth" "keyUsage=critical,digitalSignature,keyEncipherment" >"$PKI/apiserver.ext"
    openssl x509 -req -in "$PKI/apiserver.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -CAcreateserial \
      -days 3650 -extfile "$PKI/apiserver.ext" -out "$PKI/apiserver.crt" 2>/dev/null
    rm -f "$PKI/apiserver.csr"
  fi
  if [[ ! -f $PKI/sa.key ]]; then
    openssl genrsa -out "$PKI/sa.key" 2048 2>/dev/null
    openssl rsa -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub" 2>/dev/null
  fi
  if [[ ! -f $PKI/admin.token ]]; then
    openssl rand -hex 32 >"$PKI/admin.token"
  fi
  # token,user,uid,"groups"
  printf '%s,gitops-stack-admin,gitops-stack-admin,"system:masters"\n' "$(admin_token)" >"$PKI/tokens.csv"
  chmod 600 "$PKI"/*.key "$PKI/admin.token" "$PKI/tokens.csv"
}

write_kubeconfig() {
  umask 077
  cat >"$KUBECONFIG_FILE" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: $CLUSTER_NAME
  cluster:
    server: $API_URL
    certificate-authority-data: $(base64 -w0 <"$PKI/ca.crt")
users:
- name: gitops-stack-admin
  user:
    token: $(admin_token)
contexts:
- name: $CLUSTER_NAME
  context:
    cluster: $CLUSTER_NAME
    user: gitops-stack-admin
current-context: $CLUSTER_NAME
EOF
}

# ---- Flux controllers as Deployments ----
flux_args() {
  local c=$1
  local a=("--watch-all-namespaces=true" "--log-level=info" "--log-encoding=console"
    "--metrics-addr=127.0.0.1:${FLUX_METRICS_PORT[$c]}" "--health-addr=127.0.0.1:${FLUX_HEALTH_PORT[$c]}")
  case $c in
    source-controller)
      a+=("--storage-path=$STATE/flux/source-controller/storage" "--storage-addr=127.0.0.1:$SOURCE_STORAGE_PORT"
        "--storage-adv-addr=localhost:$SOURCE_STORAGE_PORT" "--events-addr=http://127.0.0.1:$NOTIFICATION_EVENTS_PORT/") ;;
    # Flux's multi-tenancy lockdown, as a platform team runs it: a tenant's
    # object may only use sources in its own namespace, kustomize may not
    # fetch bases from outside the artifact, and an object that names no
    # ServiceAccount applies as its namespace's `default` one, never with
    # the controller's own rights (a tenant may create Kustomizations:
    # `admin` includes Flux's kinds, see flux-edit in stack/start).
    # Both controllers poll a dependency that is not Ready (no watch on
    # dependsOn): every 5 s instead of the default 30 s, so that staging
    # follows development in seconds on this stack, as on a cluster tuned
    # for promotion chains.
    # kustomize-controller gives up on an unreachable artifact server after
    # 2 retries (5 s, 10 s) instead of 9 (3.6 min of back-off): a stopped
    # source-controller is reported in 15 s, not 4 min (a restart of it
    # still fits in the 15 s), and the failed reconcile is tried again at
    # its retryInterval like any other failure.
    kustomize-controller)
      a+=("--events-addr=http://127.0.0.1:$NOTIFICATION_EVENTS_PORT/" "--no-cross-namespace-refs=true" "--no-remote-bases=true"
        "--default-service-account=default" "--requeue-dependency=5s" "--http-retry=2") ;;
    helm-controller)
      a+=("--events-addr=http://127.0.0.1:$NOTIFICATION_EVENTS_PORT/" "--no-cross-namespace-refs=true"
        "--default-service-account=default" "--requeue-dependency=5s") ;;
    notification-controller)
      a+=("--events-addr=127.0.0.1:$NOTIFICATION_EVENTS_PORT" "--receiverAddr=127.0.0.1:$NOTIFICATION_RECEIVER_PORT"
        "--no-cross-namespace-refs=true") ;;
  esac
  printf '%s\n' "${a[@]}"
}

# A Service shaped like flux install's: name, controller, target port name.
flux_service_yaml() {
  cat <<EOF
---
apiVersion: v1
kind: Service
metadata:
  name: $1
  namespace: $FLUX_NAMESPACE
  labels:
    app.kubernetes.io/component: $2
    app.kubernetes.io/instance: $FLUX_NAMESPACE
    app.kubernetes.io/part-of: flux
    app.kubernetes.io/version: $FLUX_VERSION
    control-plane: controller
spec:
  type: ClusterIP
  selector:
    app: $2
  ports:
  - name: http
    port: 80
    protocol: TCP
    targetPort: $3
EOF
}

# The Deployment (and Service) `flux install` would create for a controller. state=running|stopped:
# stopped adds a nodeSelector no node has, so the Recreate strategy removes the Pod and the new one
# stays Pending: readyReplicas 0, Available=False.
flux_deployment_yaml() {
  local c=$1 state=$2 ver arg ports stopped_selector=""
  ver=$(flux_version_of "$c")
  [[ $state == stopped ]] && stopped_selector="        gitops-stack.local/process: stopped"
  ports="        - containerPort: 8080
          name: http-prom
          protocol: TCP
        - containerPort: 9440
          name: healthz
          protocol: TCP"
  case $c in
    source-controller) ports="        - containerPort: 9090
          name: http
          protocol: TCP
$ports" ;;
    notification-controller) ports="        - containerPort: 9090
          name: http
          protocol: TCP
        - containerPort: 9292
          name: http-webhook
          protocol: TCP
$ports" ;;
  esac
  cat <<EOF
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: $c
  namespace: $FLUX_NAMESPACE
  labels:
    app.kubernetes.io/component: $c
    app.kubernetes.io/instance: $FLUX_NAMESPACE
    app.kubernetes.io/part-of: flux
    app.kubernetes.io/version: $FLUX_VERSION
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: $c
  namespace: $FLUX_NAMESPACE
  labels:
    app.kubernetes.io/component: $c
    app.kubernetes.io/instance: $FLUX_NAMESPACE
    app.kubernetes.io/part-of: flux
    app.kubernetes.io/version: $FLUX_VERSION
    control-plane: controller
  annotations:
    gitops-stack.local/process: $state
    gitops-stack.local/note: "runs as a local process (stack/component $c); this Deployment mirrors whether it is up"
spec:
  replicas: 1
  revisionHistoryLimit: 3
  strategy:
    type: Recreate
  selector:
    matchLabels:
      app: $c
  template:
    metadata:
      labels:
        app: $c
      annotations:
        prometheus.io/port: "8080"
        prometheus.io/scrape: "true"
    spec:
      serviceAccountName: $c
      terminationGracePeriodSeconds: 10
      priorityClassName: system-cluster-critical
      securityContext:
        fsGroup: 1337
      volumes:
      - name: data
        emptyDir: {}
      - name: temp
        emptyDir: {}
      nodeSelector:
        kubernetes.io/os: linux
$stopped_selector
      containers:
      - name: manager
        image: ghcr.io/fluxcd/$c:$ver
        imagePullPolicy: IfNotPresent
        args:
$(while read -r arg; do printf '        - "%s"\n' "$arg"; done < <(flux_args "$c"))
        env:
        - name: RUNTIME_NAMESPACE
          valueFrom:
            fieldRef:
              fieldPath: metadata.namespace
        ports:
$ports
        livenessProbe:
          httpGet:
            path: /healthz
            port: healthz
        readinessProbe:
          httpGet:
            path: /readyz
            port: healthz
        resources:
          limits:
            cpu: 1000m
            memory: 1Gi
          requests:
            cpu: 50m
            memory: 64Mi
        securityContext:
          allowPrivilegeEscalation: false
          capabilities:
            drop: ["ALL"]
          readOnlyRootFilesystem: true
          runAsNonRoot: true
          seccompProfile:
            type: RuntimeDefault
        volumeMounts:
        - name: data
          mountPath: /data
        - name: temp
          mountPath: /tmp
EOF
  case $c in
    source-controller | notification-controller) flux_service_yaml "$c" "$c" http ;;
  esac
  if [[ $c == notification-controller ]]; then
    flux_service_yaml webhook-receiver "$c" http-webhook
  fi
}

# mark_flux_deployment <controller> running|stopped
mark_flux_deployment() {
  flux_deployment_yaml "$1" "$2" | kc apply --server-side --force-conflicts --field-manager=gitops-stack -f - >/dev/null
}

# deployment_available <controller> True|False
deployment_available() {
  local out avail ready gen observed
  out=$(kc -n "$FLUX_NAMESPACE" get deployment "$1" -o jsonpath='{.status.conditions[?(@.type=="Available")].status}|{.status.readyReplicas}|{.metadata.generation}|{.status.observedGeneration}' 2>/dev/null) || return 1
  IFS='|' read -r avail ready gen observed <<<"$out"
  [[ $gen == "$observed" ]] || return 1
  if [[ $2 == True ]]; then
    [[ $avail == True && $ready == 1 ]]
  else
    [[ $avail == False && ${ready:-0} == 0 ]] # readyReplicas is omitted when 0
  fi
}

# ---- starting single components ----
start_component() {
  local c=$1 bin t0=$SECONDS
  bin=$(binary_of "$c")
  if is_running "$c"; then
    log "$c already running (pid $(pid_of "$c"))"
    return 0
  fi
  mkdir -p "$LOGS" "$PIDS"
  case $c in
    etcd)
      port_busy "$ETCD_CLIENT_PORT" && die "port $ETCD_CLIENT_PORT is in use by another process"
      mkdir -p "$STATE/etcd"
      spawn etcd -- "$bin" --name gitops-stack --data-dir "$STATE/etcd" \
        --listen-client-urls "http://127.0.0.1:$ETCD_CLIENT_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_CLIENT_PORT" \
        --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
        --initial-cluster "gitops-stack=http://127.0.0.1:$ETCD_PEER_PORT" \
        --unsafe-no-fsync --quota-backend-bytes=2147483648 --log-level=warn
      wait_ready "$c" 30 "etcd health" etcd_healthy || fail_component "$c"
      ;;
    kube-apiserver)
      port_busy "$APISERVER_PORT" && die "port $APISERVER_PORT is in use by another process"
      spawn kube-apiserver -- "$bin" \
        --etcd-servers="http://127.0.0.1:$ETCD_CLIENT_PORT" \
        --bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port="$APISERVER_PORT" \
        --tls-cert-file="$PKI/apiserver.crt" --tls-private-key-file="$PKI/apiserver.key" \
        --client-ca-file="$PKI/ca.crt" --token-auth-file="$PKI/tokens.csv" \
        --authorization-mode=RBAC --allow-privileged=true \
        --service-cluster-ip-range=10.0.0.0/24 \
        --service-account-issuer=https://kubernetes.default.svc.cluster.local \
        --service-account-key-file="$PKI/sa.pub" --service-account-signing-key-file="$PKI/sa.key" \
        --cert-dir="$STATE/apiserver" --profiling=false --v=0
      wait_ready "$c" 60 "kube-apiserver /readyz" apiserver_ready || fail_component "$c"
      ;;
    kube-controller-manager)
      # A long node grace period: kwok does not make pods Ready again once
      # the node lifecycle controller marked them NotReady, so an API server
      # outage (the diagnostics and reliability tests make them) must not
      # look like dead nodes.
      spawn kube-controller-manager -- "$bin" --kubeconfig="$KUBECONFIG_FILE" \
        --authentication-kubeconfig="$KUBECONFIG_FILE" --authorization-kubeconfig="$KUBECONFIG_FILE" \
        --leader-elect=false --bind-address=127.0.0.1 --secure-port="$KCM_PORT" --cert-dir="$STATE/kube-controller-manager" \
        --service-account-private-key-file="$PKI/sa.key" --root-ca-file="$PKI/ca.crt" \
        --flex-volume-plugin-dir="$STATE/kube-controller-manager/volume-plugins" \
        --node-monitor-grace-period=5m \
        --cluster-name="$CLUSTER_NAME" --profiling=false --v=0
      wait_ready "$c" 60 "kube-controller-manager /healthz" https_healthz "$KCM_PORT" || fail_component "$c"
      ;;
    kube-scheduler)
      spawn kube-scheduler -- "$bin" --kubeconfig="$KUBECONFIG_FILE" \
        --authentication-kubeconfig="$KUBECONFIG_FILE" --authorization-kubeconfig="$KUBECONFIG_FILE" \
        --leader-elect=false --bind-address=127.0.0.1 --secure-port="$SCHEDULER_PORT" --profiling=false --v=0
      wait_ready "$c" 60 "kube-scheduler /healthz" https_healthz "$SCHEDULER_PORT" || fail_component "$c"
      ;;
    kwok)
      # A new kwok instance only manages a node once it holds its lease: drop the leases of the
      # previous instance instead of waiting up to 40s for them to expire.
      if [[ -f $KUBECONFIG_FILE ]] && apiserver_ready; then
        kc -n kube-node-lease delete lease "${KWOK_NODES[@]}" --ignore-not-found >/dev/null 2>&1 || true
      fi
      spawn kwok -- "$bin" --kubeconfig="$KUBECONFIG_FILE" --config="$CACHE/bin/kwok/$KWOK_VERSION/stages.yaml" \
        --manage-nodes-with-label-selector=type=kwok --cidr=10.244.0.0/16 --node-ip=10.0.1.1 \
        --node-lease-duration-seconds=40 --server-address="127.0.0.1:$KWOK_PORT"
      wait_ready "$c" 30 "kwok /healthz" http_ok "http://127.0.0.1:$KWOK_PORT/healthz" || fail_component "$c"
      ;;
    gitea)
      port_busy "$GITEA_PORT" && die "port $GITEA_PORT is in use by another process"
      port_busy "$GITEA_SSH_PORT" && die "port $GITEA_SSH_PORT is in use by another process"
      gitea_prepare
      gitea_ensure_ssh
      spawn gitea GITEA_WORK_DIR="$STATE/gitea" GITEA_CUSTOM="$STATE/gitea/custom" HOME="$STATE/gitea/home" -- \
        "$bin" --config "$GITEA_INI" --work-path "$GITEA_DIR" web
      wait_ready "$c" 60 "gitea /api/v1/version" http_ok "http://127.0.0.1:$GITEA_PORT/api/v1/version" || fail_component "$c"
      wait_ready "$c" 30 "gitea SSH on port $GITEA_SSH_PORT" port_busy "$GITEA_SSH_PORT" || fail_component "$c"
      gitea_ensure_org
      ;;
    *)
      is_flux_controller "$c" || die "unknown component $c"
      mkdir -p "$STATE/flux/$c"
      [[ $c != source-controller ]] || mkdir -p "$STATE/flux/source-controller/storage"
      local args=()
      mapfile -t args < <(flux_args "$c")
      # shellcheck disable=SC2164
      (cd "$STATE/flux/$c" && spawn "$c" KUBECONFIG="$KUBECONFIG_FILE" RUNTIME_NAMESPACE="$FLUX_NAMESPACE" \
        SOURCE_CONTROLLER_LOCALHOST="localhost:$SOURCE_STORAGE_PORT" TMPDIR="$STATE/flux/$c" -- "$bin" "${args[@]}")
      wait_ready "$c" 60 "$c /readyz" http_ok "http://127.0.0.1:${FLUX_HEALTH_PORT[$c]}/readyz" || fail_component "$c"
      ;;
  esac
  log "$c ready (pid $(pid_of "$c"), $((SECONDS - t0))s)"
}

fail_component() {
  echo "---- last lines of $LOGS/$1.log" >&2
  tail -n 30 "$LOGS/$1.log" >&2
  die "$1 did not become ready"
}

# ---- Gitea ----
GITEA_DIR=$BASE_STATE/gitea
GITEA_INI=$GITEA_DIR/custom/conf/app.ini
GITEA_CREDS=$GITEA_DIR/admin.env

gitea_cli() {
  env GITOPS_STACK_STATE="$STATE" GITEA_WORK_DIR="$GITEA_DIR" GITEA_CUSTOM="$GITEA_DIR/custom" HOME="$GITEA_DIR/home" \
    "$(binary_of gitea)" --config "$GITEA_INI" --work-path "$GITEA_DIR" "$@"
}

# First start: app.ini, database, admin user, access token. Later starts: nothing to do.
gitea_prepare() {
  mkdir -p "$GITEA_DIR"/{custom/conf,data,repos,home,log}
  if [[ ! -f $GITEA_INI ]]; then
    log "gitea: writing $GITEA_INI (first start)"
    umask 077
    cat >"$GITEA_INI" <<INI
APP_NAME = GitOps stack
RUN_MODE = prod
RUN_USER = $(id -un)
WORK_PATH = $GITEA_DIR
; the stack runs as whoever starts it, root included (documented escape hatch)
I_AM_BEING_UNSAFE_RUNNING_AS_ROOT = true

[server]
PROTOCOL = http
HTTP_ADDR = 127.0.0.1
HTTP_PORT = $GITEA_PORT
DOMAIN = 127.0.0.1
ROOT_URL = http://127.0.0.1:$GITEA_PORT/
LOCAL_ROOT_URL = http://127.0.0.1:$GITEA_PORT/
$(gitea_ssh_settings)
OFFLINE_MODE = true
LFS_START_SERVER = false
APP_DATA_PATH = $GITEA_DIR/data
; templates/, options/ and public/ copied from the gitea module by stack/build (no frontend build)
STATIC_ROOT_PATH = $CACHE/bin/gitea/$GITEA_VERSION

[database]
DB_TYPE = sqlite3
PATH = $GITEA_DIR/data/gitea.db
SQLITE_JOURNAL_MODE = WAL

[repository]
ROOT = $GITEA_DIR/repos
DEFAULT_BRANCH = main
ENABLE_PUSH_CREATE_USER = true
ENABLE_PUSH_CREATE_ORG = true

[security]
INSTALL_LOCK = true
SECRET_KEY = $(openssl rand -hex 32)
INTERNAL_TOKEN = $(openssl rand -hex 48)
PASSWORD_HASH_ALGO = pbkdf2_hi

[oauth2]
JWT_SECRET = $(openssl rand -base64 32 | tr '+/' '-_' | tr -d '=')

[service]
DISABLE_REGISTRATION = true
REQUIRE_SIGNIN_VIEW = false
DEFAULT_KEEP_EMAIL_PRIVATE = true

[session]
PROVIDER = memory

[cache]
ADAPTER = memory

[mailer]
ENABLED = false

[picture]
DISABLE_GRAVATAR = true
ENABLE_FEDERATED_AVATAR = false

[actions]
ENABLED = false

[cron.update_checker]
ENABLED = false

[webhook]
ALLOWED_HOST_LIST = loopback,private

[migrations]
ALLOWED_DOMAINS = 127.0.0.1,localhost
ALLOW_LOCALNETWORKS = true

[log]
MODE = console
LEVEL = Info
ROOT_PATH = $GITEA_DIR/log
INI
  fi
  if [[ ! -f $GITEA_CREDS ]]; then
    local password token
    log "gitea: creating the database and the admin user $GITEA_ADMIN_USER"
    gitea_cli migrate >>"$LOGS/gitea-setup.log" 2>&1 || { tail -20 "$LOGS/gitea-setup.log" >&2; die "gitea migrate failed"; }
    password=$(openssl rand -base64 30 | tr -dc 'A-Za-z0-9' | head -c 24)
    gitea_cli admin user create --username "$GITEA_ADMIN_USER" --password "$password" \
      --email "$GITEA_ADMIN_USER@gitops-stack.local" --admin --must-change-password=false >>"$LOGS/gitea-setup.log" 2>&1 ||
      { tail -20 "$LOGS/gitea-setup.log" >&2; die "gitea admin user create failed"; }
    token=$(gitea_cli admin user generate-access-token --username "$GITEA_ADMIN_USER" --token-name gitops-stack \
      --scopes all --raw 2>>"$LOGS/gitea-setup.log" | tail -n1)
    [[ $token =~ ^[0-9a-f]{40}$ ]] || die "gitea: could not create an access token (got '$token'), see $LOGS/gitea-setup.log"
    umask 077
    printf 'GITEA_ADMIN_USER=%s\nGITEA_ADMIN_PASSWORD=%s\nGITEA_TOKEN=%s\n' "$GITEA_ADMIN_USER" "$password" "$token" >"$GITEA_CREDS.tmp"
    mv "$GITEA_CREDS.tmp" "$GITEA_CREDS"
  fi
}

# [server] lines of Gitea's built-in SSH server (Flux's deploy keys; no system sshd involved).
gitea_ssh_settings() {
  cat <<INI
DISABLE_SSH = false
START_SSH_SERVER = true
SSH_DOMAIN = 127.0.0.1
SSH_PORT = $GITEA_SSH_PORT
SSH_LISTEN_HOST = 127.0.0.1
SSH_LISTEN_PORT = $GITEA_SSH_PORT
BUILTIN_SSH_SERVER_USER = git
SSH_USER = git
SSH_SERVER_HOST_KEYS = ssh/gitea.ed25519
INI
}

# An ed25519 host key made with openssl (PKCS#8, which Gitea's SSH server reads) and its
# known_hosts line; an app.ini from before SSH was served gets the SSH settings.
gitea_ensure_ssh() {
  local dir=$GITEA_DIR/data/ssh raw
  mkdir -p "$dir"
  if [[ ! -f $dir/gitea.ed25519 ]]; then
    (umask 077 && openssl genpkey -algorithm ed25519 -out "$dir/gitea.ed25519" 2>/dev/null) ||
      die "gitea: could not generate the SSH host key"
    rm -f "$dir/gitea.ed25519.pub"
  fi
  if [[ ! -f $dir/gitea.ed25519.pub ]]; then
    # OpenSSH wire format: string "ssh-ed25519", string <32-byte key> (the tail of the DER public key).
    raw=$(openssl pkey -in "$dir/gitea.ed25519" -pubout -outform DER 2>/dev/null | tail -c 32 | base64 -w0)
    printf 'ssh-ed25519 %s\n' "$( { printf '\x00\x00\x00\x0bssh-ed25519\x00\x00\x00\x20'; base64 -d <<<"$raw"; } | base64 -w0)" \
      >"$dir/gitea.ed25519.pub"
  fi
  if grep -q '^START_SSH_SERVER = false' "$GITEA_INI"; then
    log "gitea: enabling the built-in SSH server on port $GITEA_SSH_PORT in $GITEA_INI"
    grep -v -e '^DISABLE_SSH = ' -e '^START_SSH_SERVER = ' "$GITEA_INI" |
      awk -v block="$(gitea_ssh_settings)" '{ print } /^\[server\]$/ { print block }' >"$GITEA_INI.tmp"
    mv "$GITEA_INI.tmp" "$GITEA_INI"
  fi
}

# known_hosts line of the SSH server, as Flux's Git auth Secrets carry it.
gitea_known_hosts() {
  printf '[127.0.0.1]:%s %s\n' "$GITEA_SSH_PORT" "$(cut -d' ' -f1-2 "$GITEA_DIR/data/ssh/gitea.ed25519.pub")"
}

# After the web server is up: the organisation.
gitea_ensure_org() {
  # shellcheck source=/dev/null
  . "$GITEA_CREDS"
  local code
  code=$(curl -sS -o /dev/null -w '%{http_code}' -H "Authorization: token $GITEA_TOKEN" "http://127.0.0.1:$GITEA_PORT/api/v1/orgs/$GITEA_ORG")
  if [[ $code == 404 ]]; then
    code=$(curl -sS -o "$LOGS/gitea-setup-org.json" -w '%{http_code}' -X POST -H "Authorization: token $GITEA_TOKEN" \
      -H 'Content-Type: application/json' -d "{\"username\":\"$GITEA_ORG\",\"visibility\":\"public\",\"repo_admin_change_team_access\":true}" \
      "http://127.0.0.1:$GITEA_PORT/api/v1/orgs")
    [[ $code == 201 ]] || die "gitea: creating organisation $GITEA_ORG answered $code: $(cat "$LOGS/gitea-setup-org.json")"
    log "gitea: organisation $GITEA_ORG created"
  elif [[ $code != 200 ]]; then
    die "gitea: GET /api/v1/orgs/$GITEA_ORG answered $code"
  fi
}
