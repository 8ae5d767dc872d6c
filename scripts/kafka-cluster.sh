#!/usr/bin/env bash
# kafka-cluster.sh - a three-node KRaft Kafka cluster on 127.0.0.1 for Blockferry's scale-out
# and failover tests, run from the project's own jars (Kafka 3.9.1 in target/lib).
#
# Usage: scripts/kafka-cluster.sh {start|stop|status|env|purge|kill-broker N|start-broker N}
#
#   start           build the jar if missing, create or restart the cluster, wait until all three
#                   brokers are in it, the controllers caught up and every partition's ISR is full
#   stop            stop the nodes (controlled shutdown; data stays)
#   purge           kill the nodes and delete the cluster directory
#   status          exit 0 if all three nodes are up and the cluster answers, non-zero otherwise
#   env             print shell exports for clients:  eval "$(scripts/kafka-cluster.sh env)"
#   kill-broker N   kill -9 node N (1-3), for failure tests
#   start-broker N  start node N again and wait until it rejoined: its broker is in the cluster and
#                   it is back in the ISR of every partition it holds (the whole ISR, when all
#                   three nodes run)
#
# Environment:
#   BLOCKFERRY_KAFKA_DIR                cluster directory (default /var/tmp/blockferry-kafka)
#   BLOCKFERRY_KAFKA_BROKER_PORTS       broker ports of nodes 1,2,3 (default 19092,19093,19094)
#   BLOCKFERRY_KAFKA_CONTROLLER_PORTS   controller ports (default 19192,19193,19194)
#                                       (both port lists are fixed when the cluster is created)
#   BLOCKFERRY_KAFKA_HEAP               maximum heap of each node (default 512m)
#   BLOCKFERRY_KAFKA_JAVA_OPTS          more JVM options for each node
#   BLOCKFERRY_KAFKA_MAX_MESSAGE_BYTES  message.max.bytes and replica.fetch.max.bytes
#                                       (default 4259840: a 4 MiB chunk + 64 KiB of headers)
#   BLOCKFERRY_KAFKA_WAIT               seconds to wait for the cluster or a node (default 120)
#
# Each node is broker and controller in one JVM (KRaft combined mode, supported in 3.9.1), and
# the three controllers are the quorum's static voters. Combined mode halves the JVMs (3, not 6)
# on this 2-core machine, and a kill -9 of a node is then a real node failure: one broker and one
# of three voters go, the other two keep the quorum. Defaults: replication factor 3,
# min.insync.replicas 2, no topic auto-creation. Nothing listens beyond 127.0.0.1.
set -euo pipefail

readonly NODES=(1 2 3)
readonly CLUSTER_RF=3
HOME_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
readonly HOME_DIR

DIR_RAW=${BLOCKFERRY_KAFKA_DIR:-/var/tmp/blockferry-kafka}
DIR=$(realpath -m -- "$DIR_RAW")
readonly DIR
readonly OURS=$DIR/.blockferry-kafka-cluster   # marks the directory as created by this script
readonly PROPS=$DIR/cluster.properties         # cluster id and ports, written once at creation
readonly LIB=$DIR/lib
readonly LOCK=$DIR.lock
readonly HEAP=${BLOCKFERRY_KAFKA_HEAP:-512m}
readonly MAX_MESSAGE_BYTES=${BLOCKFERRY_KAFKA_MAX_MESSAGE_BYTES:-4259840}
readonly WAIT_SECS=${BLOCKFERRY_KAFKA_WAIT:-120}
readonly DEFAULT_BROKER_PORTS=19092,19093,19094
readonly DEFAULT_CONTROLLER_PORTS=19192,19193,19194

DEV_NAME=kafka-cluster
# shellcheck source=lib/dev-common.sh
source "$HOME_DIR/scripts/lib/dev-common.sh"
# shellcheck source=lib/java-launcher.sh
source "$HOME_DIR/scripts/lib/java-launcher.sh"

# Filled by load_props: ports of node N at index N-1.
BROKER_PORTS=()
CONTROLLER_PORTS=()
CLUSTER_ID=

# ---------------------------------------------------------------------------------------------
# Cluster identity and ports

parse_ports() { # $1 name of the setting, $2 "p1,p2,p3": prints three validated ports
  local -a ports
  IFS=, read -r -a ports <<<"$2"
  ((${#ports[@]} == 3)) || die "$1 must list three ports (one per node), got '$2'"
  local p
  for p in "${ports[@]}"; do
    [[ $p =~ ^[0-9]+$ ]] && ((p > 0 && p < 65536)) || die "$1: '$p' is not a port"
  done
  echo "${ports[*]}"
}

create_props() {
  local b c id
  read -r -a b < <(parse_ports BLOCKFERRY_KAFKA_BROKER_PORTS "${BLOCKFERRY_KAFKA_BROKER_PORTS:-$DEFAULT_BROKER_PORTS}")
  read -r -a c < <(parse_ports BLOCKFERRY_KAFKA_CONTROLLER_PORTS "${BLOCKFERRY_KAFKA_CONTROLLER_PORTS:-$DEFAULT_CONTROLLER_PORTS}")
  [[ $(printf '%s\n' "${b[@]}" "${c[@]}" | sort -u | wc -l) == 6 ]] || die "the six broker and controller ports must differ"
  # A Kafka cluster id is 16 random bytes in unpadded base64url (what kafka-storage random-uuid prints)
  id=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')
  {
    echo "# Written once by scripts/kafka-cluster.sh when the cluster was created; purge to change."
    echo "cluster.id=$id"
    echo "broker.ports=$(IFS=,; echo "${b[*]}")"
    echo "controller.ports=$(IFS=,; echo "${c[*]}")"
  } >"$PROPS"
}

prop() { sed -n "s/^$1=//p" "$PROPS"; }

# Reads the cluster's ports: from cluster.properties once it exists (the quorum's addresses are
# in the nodes' metadata and must not change), else from the environment or the defaults.
load_props() {
  local b c
  if [[ -f $PROPS ]]; then
    CLUSTER_ID=$(prop cluster.id)
    b=$(prop broker.ports)
    c=$(prop controller.ports)
    if [[ -n ${BLOCKFERRY_KAFKA_BROKER_PORTS:-} && $BLOCKFERRY_KAFKA_BROKER_PORTS != "$b" ]] ||
      [[ -n ${BLOCKFERRY_KAFKA_CONTROLLER_PORTS:-} && $BLOCKFERRY_KAFKA_CONTROLLER_PORTS != "$c" ]]; then
      die "the cluster in $DIR was created with broker ports $b and controller ports $c; purge it to change them"
    fi
  else
    b=${BLOCKFERRY_KAFKA_BROKER_PORTS:-$DEFAULT_BROKER_PORTS}
    c=${BLOCKFERRY_KAFKA_CONTROLLER_PORTS:-$DEFAULT_CONTROLLER_PORTS}
  fi
  read -r -a BROKER_PORTS < <(parse_ports broker.ports "$b")
  read -r -a CONTROLLER_PORTS < <(parse_ports controller.ports "$c")
}

bootstrap_servers() {
  local n out=()
  for n in "${NODES[@]}"; do out+=("127.0.0.1:${BROKER_PORTS[n - 1]}"); done
  (IFS=,; echo "${out[*]}")
}

# ---------------------------------------------------------------------------------------------
# Jars: built when missing, then run from a private copy

# The nodes run from a copy of the jars in $LIB, not from target/: a `mvn package` or `clean` in
# the work tree while the cluster runs would otherwise swap or delete the classes under live JVMs.
# The copy is refreshed only when no node runs, so the three nodes always run the same Kafka.
jar_names() { (cd "$1" && printf '%s\n' *.jar); }

ensure_jars() {
  if [[ ! -f $HOME_DIR/target/blockferry.jar ]] || ! compgen -G "$HOME_DIR/target/lib/kafka_2.13-*.jar" >/dev/null; then
    log "building $HOME_DIR/target/blockferry.jar (its target/lib holds Kafka) ..."
    (cd "$HOME_DIR" && ./mvnw -B -q -DskipTests package 9>&-) >&2 || die "the build failed; run ./mvnw -B -DskipTests package to see why"
  fi
  local n
  for n in "${NODES[@]}"; do node_pid "$n" >/dev/null && return 0; done
  if [[ -d $LIB ]] && [[ $(jar_names "$HOME_DIR/target/lib") == "$(jar_names "$LIB" | grep -vx blockferry.jar)" ]] &&
    [[ ! $HOME_DIR/target/blockferry.jar -nt $LIB/blockferry.jar ]]; then
    return 0
  fi
  rm -rf -- "$LIB.new"
  cp -r "$HOME_DIR/target/lib" "$LIB.new"
  cp -p "$HOME_DIR/target/blockferry.jar" "$LIB.new/"
  rm -rf -- "$LIB"
  mv "$LIB.new" "$LIB"
}

classpath() { echo "$LIB/blockferry.jar:$LIB/*"; }

# ---------------------------------------------------------------------------------------------
# Nodes

node_dir() { echo "$DIR/node-$1"; }

# pid of node N when it runs (the pid file survives kill -9 and reboots: check the command line)
node_pid() {
  local f pid
  f=$(node_dir "$1")/kafka.pid
  [[ -s $f ]] || return 1
  pid=$(<"$f")
  [[ $pid =~ ^[0-9]+$ && -r /proc/$pid/cmdline ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- " kafka.Kafka $(node_dir "$1")/server.properties" || return 1
  echo "$pid"
}

running_nodes() { # prints the numbers of the running nodes, comma-separated
  local n out=()
  for n in "${NODES[@]}"; do node_pid "$n" >/dev/null && out+=("$n"); done
  (IFS=,; echo "${out[*]}")
}

# A killed node is a zombie until init reaps it (we are not its parent): that counts as gone.
alive_pid() {
  local state
  state=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) || return 1
  [[ -n $state && $state != Z && $state != X ]]
}

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

check_node_arg() {
  [[ ${1:-} =~ ^[1-3]$ ]] || die "name a node: 1, 2 or 3 (got '${1:-}')"
}

check_ports() { # $1 node that does not run: its ports must be free
  local n=$1 p
  for p in "${BROKER_PORTS[n - 1]}" "${CONTROLLER_PORTS[n - 1]}"; do
    port_busy "$p" && die "port 127.0.0.1:$p of node $n is in use by another process (another cluster? set BLOCKFERRY_KAFKA_DIR and BLOCKFERRY_KAFKA_BROKER_PORTS/_CONTROLLER_PORTS)"
  done
  return 0
}

voters() {
  local n out=()
  for n in "${NODES[@]}"; do out+=("$n@127.0.0.1:${CONTROLLER_PORTS[n - 1]}"); done
  (IFS=,; echo "${out[*]}")
}

# Written at every start, so a change here reaches existing clusters at their next start.
write_node_config() {
  local n=$1 d bp cp
  d=$(node_dir "$n")
  bp=${BROKER_PORTS[n - 1]}
  cp=${CONTROLLER_PORTS[n - 1]}
  mkdir -p "$d/data" "$d/logs"
  cat >"$d/server.properties" <<EOF
# Generated by blockferry scripts/kafka-cluster.sh at every start of node $n; edits are lost.
process.roles=broker,controller
node.id=$n
controller.quorum.voters=$(voters)
listeners=PLAINTEXT://127.0.0.1:$bp,CONTROLLER://127.0.0.1:$cp
advertised.listeners=PLAINTEXT://127.0.0.1:$bp
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$d/data

# What the scale-out tests rely on: every record on three brokers, acks=all needs two of them.
default.replication.factor=$CLUSTER_RF
min.insync.replicas=2
offsets.topic.replication.factor=$CLUSTER_RF
transaction.state.log.replication.factor=$CLUSTER_RF
transaction.state.log.min.isr=2
unclean.leader.election.enable=false
auto.create.topics.enable=false
num.partitions=1

# Blockferry's chunk records: up to 4 MiB of data plus headers. Followers must fetch them too.
message.max.bytes=$MAX_MESSAGE_BYTES
replica.fetch.max.bytes=$MAX_MESSAGE_BYTES

# Small internal topics: 50 offsets partitions x 3 replicas would dominate a restart here.
offsets.topic.num.partitions=6
transaction.state.log.num.partitions=3
group.initial.rebalance.delay.ms=0

# Fewer threads and buffers than a production broker: three nodes share 2 cores and the heap.
num.network.threads=2
num.io.threads=4
background.threads=4
num.recovery.threads.per.data.dir=1
log.cleaner.threads=1
log.cleaner.dedupe.buffer.size=8388608
log.cleaner.io.buffer.size=262144
log.retention.hours=168
EOF
}

write_log_configs() {
  # Node logs go to files that roll (Kafka at INFO is chatty); the probe only reports errors.
  cat >"$DIR/log4j2.properties" <<'EOF'
# Generated by blockferry scripts/kafka-cluster.sh: logging of each node (kafka.logs.dir is set per node).
appender.file.type=RollingFile
appender.file.name=file
appender.file.fileName=${sys:kafka.logs.dir}/server.log
appender.file.filePattern=${sys:kafka.logs.dir}/server.log.%i
appender.file.layout.type=PatternLayout
appender.file.layout.pattern=[%d] %p %m (%c)%n
appender.file.policies.type=Policies
appender.file.policies.size.type=SizeBasedTriggeringPolicy
appender.file.policies.size.size=20MB
appender.file.strategy.type=DefaultRolloverStrategy
appender.file.strategy.max=3
rootLogger.level=INFO
rootLogger.appenderRef.file.ref=file
logger.request.name=kafka.request.logger
logger.request.level=WARN
EOF
  cat >"$DIR/probe-log4j2.properties" <<'EOF'
# Generated by blockferry scripts/kafka-cluster.sh: the readiness probe's own logging.
appender.err.type=Console
appender.err.name=err
appender.err.target=SYSTEM_ERR
appender.err.layout.type=PatternLayout
appender.err.layout.pattern=probe: %p %m%n
rootLogger.level=ERROR
rootLogger.appenderRef.err.ref=err
EOF
}

# KRaft storage must be formatted once per node with the cluster id (writes meta.properties).
format_node() {
  local n=$1 d
  d=$(node_dir "$n")
  [[ -f $d/data/meta.properties ]] && return 0
  java -Xmx128m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Dlog4j2.configurationFile="$DIR/probe-log4j2.properties" \
    -cp "$(classpath)" kafka.tools.StorageTool format -t "$CLUSTER_ID" -c "$d/server.properties" --ignore-formatted \
    >>"$d/logs/format.out" 2>&1 9>&- || {
    tail -n 20 "$d/logs/format.out" >&2
    die "formatting node $n's storage failed; see $d/logs/format.out"
  }
}

start_node() {
  local n=$1 d pid
  d=$(node_dir "$n")
  node_pid "$n" >/dev/null && return 0
  check_ports "$n"
  write_node_config "$n"
  format_node "$n"
  log "starting node $n (broker 127.0.0.1:${BROKER_PORTS[n - 1]}, controller 127.0.0.1:${CONTROLLER_PORTS[n - 1]}, heap $HEAP)"
  # Own session and no inherited stdio: callers may capture our output and wait for its end.
  # 9>&-: the node must not inherit the lock on $LOCK.
  # shellcheck disable=SC2086
  setsid java -Xms128m "-Xmx$HEAP" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+ExitOnOutOfMemoryError \
    -Djava.awt.headless=true -Dkafka.logs.dir="$d/logs" -Dlog4j2.configurationFile="$DIR/log4j2.properties" \
    ${BLOCKFERRY_KAFKA_JAVA_OPTS:-} -cp "$(classpath)" kafka.Kafka "$d/server.properties" \
    </dev/null >>"$d/logs/kafka.out" 2>&1 9>&- &
  pid=$!
  echo "$pid" >"$d/kafka.pid"
}

kill_node() { # $1 node, $2 signal; waits until the process is gone
  local n=$1 sig=$2 pid i
  pid=$(node_pid "$n") || return 0
  kill "-$sig" "$pid" 2>/dev/null || true
  for ((i = 0; i < 100; i++)); do
    alive_pid "$pid" || break
    sleep 0.1
  done
  alive_pid "$pid" && die "node $n (pid $pid) did not exit after SIG$sig"
  rm -f "$(node_dir "$n")/kafka.pid"
}

stop_nodes() {
  local n pid pids=() i alive grace=60
  for n in "${NODES[@]}"; do
    pid=$(node_pid "$n") && pids+=("$n:$pid")
  done
  # A broker's controlled shutdown needs the controller quorum (2 of 3 voters). A node left
  # alone would wait for it without end: give it a short grace, then kill it (Kafka recovers
  # its logs at the next start).
  if ((${#pids[@]} == 1)); then
    grace=10
    log "node ${pids[0]%%:*} runs alone, without a controller quorum: it gets ${grace}s to stop, then SIGKILL"
  fi
  # All at once: each node's controller stays up until its own broker finished its controlled
  # shutdown, so the quorum lives while the brokers hand over their partitions.
  for n in "${pids[@]}"; do kill -TERM "${n#*:}" 2>/dev/null || true; done
  for ((i = 0; i < grace * 10; i++)); do
    alive=0
    for n in "${pids[@]}"; do alive_pid "${n#*:}" && alive=1; done
    ((alive)) || break
    sleep 0.1
  done
  for n in "${pids[@]}"; do
    if alive_pid "${n#*:}"; then
      log "node ${n%%:*} (pid ${n#*:}) did not stop within ${grace}s, sending SIGKILL"
      kill_node "${n%%:*}" KILL
    fi
  done
  rm -f "$DIR"/node-*/kafka.pid
}

# ---------------------------------------------------------------------------------------------
# Readiness probe: a small Java program on Kafka's Admin client, compiled once per cluster
# directory (javac), since the script cannot ask Kafka about brokers, quorum and ISRs otherwise.

probe_source() {
  cat <<'EOF'
import java.util.*;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.*;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;

/**
 * Waits until the cluster is ready: the given brokers are in it (registered and unfenced), their
 * controllers have caught up with the quorum leader, and each of them is in the ISR of every
 * partition it holds. Exits 0 when ready, 1 on timeout, 2 when a watched node process exited;
 * prints what it last waited for.
 * Arguments: bootstrap timeoutSeconds brokers(1,2,3) watchedPids(n:pid,...)
 */
public final class KafkaClusterProbe {
    public static void main(String[] a) throws Exception {
        String bootstrap = a[0];
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(a[1]));
        Set<Integer> brokers = new TreeSet<>();
        for (String s : a[2].split(",")) if (!s.isEmpty()) brokers.add(Integer.parseInt(s));
        Map<Integer, Long> pids = new TreeMap<>();
        for (String s : a.length > 3 ? a[3].split(",") : new String[0])
            if (!s.isEmpty()) pids.put(Integer.parseInt(s.split(":")[0]), Long.parseLong(s.split(":")[1]));
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "8000");
        p.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "500");
        String last = "no answer yet";
        try (Admin admin = Admin.create(p)) {
            while (true) {
                for (var e : pids.entrySet()) {
                    if (!ProcessHandle.of(e.getValue()).map(ProcessHandle::isAlive).orElse(false)) {
                        System.out.println("node " + e.getKey() + " (pid " + e.getValue() + ") exited");
                        System.exit(2);
                    }
                }
                try {
                    last = check(admin, brokers);
                    if (last == null) return;
                } catch (Exception e) {
                    Throwable c = e.getCause() != null ? e.getCause() : e;
                    last = c.getClass().getSimpleName() + ": " + c.getMessage();
                }
                if (System.nanoTime() > deadline) {
                    System.out.println(last);
                    System.exit(1);
                }
                Thread.sleep(300);
            }
        }
    }

    /** null when ready, else what is still awaited. */
    static String check(Admin admin, Set<Integer> brokers) throws Exception {
        Set<Integer> alive = new TreeSet<>();
        for (Node n : admin.describeCluster().nodes().get(8, TimeUnit.SECONDS)) alive.add(n.id());
        if (!alive.containsAll(brokers)) return "brokers in the cluster: " + alive + ", waiting for " + brokers;
        // Sent to each broker itself: fails until that very process serves requests. Without it a
        // node killed and started again within the session timeout (9 s) would pass on the
        // cluster's stale view of its previous incarnation.
        admin.describeLogDirs(brokers).allDescriptions().get(8, TimeUnit.SECONDS);
        QuorumInfo q = admin.describeMetadataQuorum().quorumInfo().get(8, TimeUnit.SECONDS);
        if (q.leaderId() < 0) return "the controller quorum has no leader";
        long now = System.currentTimeMillis();
        for (QuorumInfo.ReplicaState v : q.voters()) {
            if (v.replicaId() == q.leaderId() || !brokers.contains(v.replicaId())) continue;
            OptionalLong t = v.lastCaughtUpTimestamp();
            if (t.isEmpty() || now - t.getAsLong() > 10_000)
                return "controller " + v.replicaId() + " has not caught up with the quorum leader " + q.leaderId();
        }
        Set<String> topics = admin.listTopics(new ListTopicsOptions().listInternal(true)).names().get(8, TimeUnit.SECONDS);
        if (topics.isEmpty()) return null;
        List<String> waiting = new ArrayList<>();
        for (TopicDescription t : admin.describeTopics(topics).allTopicNames().get(8, TimeUnit.SECONDS).values()) {
            for (TopicPartitionInfo pi : t.partitions()) {
                Set<Integer> isr = new TreeSet<>();
                pi.isr().forEach(n -> isr.add(n.id()));
                for (Node r : pi.replicas()) {
                    if (brokers.contains(r.id()) && !isr.contains(r.id()) || pi.leader() == null) {
                        waiting.add(t.name() + "-" + pi.partition() + " (isr " + isr + ")");
                        break;
                    }
                }
            }
        }
        if (waiting.isEmpty()) return null;
        return waiting.size() + " partition(s) wait for replicas to rejoin the ISR, e.g. "
            + String.join(", ", waiting.subList(0, Math.min(3, waiting.size())));
    }
}
EOF
}

ensure_probe() {
  local d=$DIR/probe sum
  sum=$(probe_source | sha256sum | cut -c1-16)
  [[ -f $d/KafkaClusterProbe.class && $(cat "$d/source.sha" 2>/dev/null) == "$sum" ]] && return 0
  rm -rf -- "$d"
  mkdir -p "$d"
  probe_source >"$d/KafkaClusterProbe.java"
  javac -nowarn -cp "$(classpath)" -d "$d" "$d/KafkaClusterProbe.java" 2>"$d/javac.out" 9>&- ||
    die "compiling the readiness probe failed: $(head -c 2000 "$d/javac.out")"
  echo "$sum" >"$d/source.sha"
}

node_failed() { # $1 node, $2 what happened: shows the ends of its logs, then stops
  local d
  d=$(node_dir "$1")
  tail -n 15 "$d/logs/kafka.out" "$d/logs/server.log" >&2 2>/dev/null || true
  die "$2; see $d/logs/"
}

# wait_ready SECONDS BROKERS: runs the probe; on failure dies with its reason and the log tails.
wait_ready() {
  local secs=$1 brokers=$2 n pid watched=() out rc=0
  for n in ${brokers//,/ }; do
    pid=$(node_pid "$n") || node_failed "$n" "node $n is not running"
    watched+=("$n:$pid")
  done
  out=$(java -Xmx96m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Dlog4j2.configurationFile="$DIR/probe-log4j2.properties" \
    -cp "$DIR/probe:$(classpath)" KafkaClusterProbe "$(bootstrap_servers)" "$secs" "$brokers" \
    "$(IFS=,; echo "${watched[*]}")" 2>&1 9>&-) || rc=$?
  ((rc == 0)) && return 0
  if ((rc == 2)) && [[ $out =~ ^node\ ([1-3]) ]]; then
    node_failed "${BASH_REMATCH[1]}" "$out"
  fi
  die "cluster not ready after ${secs}s: ${out:-probe failed (rc $rc)}; logs in $DIR/node-*/logs/"
}

# ---------------------------------------------------------------------------------------------
# Commands

lock() {
  mkdir -p "$(dirname "$DIR")"
  { exec 9>>"$LOCK"; } 2>/dev/null || die "cannot open lock file $LOCK (permissions?)"
  flock -w 300 9 || die "another kafka-cluster.sh holds $LOCK"
}

check_ours() { # refuse to touch a non-empty directory we did not create
  if [[ -d $DIR && ! -e $OURS ]] && [[ -n $(ls -A "$DIR" 2>/dev/null) ]]; then
    die "$DIR exists, is not empty and was not created by kafka-cluster.sh; refusing to touch it"
  fi
}

summary() { # $1 what happened
  printf 'kafka-cluster: cluster usable (%s in %ss): dir %s, bootstrap %s, controllers %s\n' \
    "$1" "$(elapsed "$T0")" "$DIR" "$(bootstrap_servers)" "$(voters)"
}

cmd_start() {
  require_java kafka-cluster
  command -v javac >/dev/null || die "javac not found: install a JDK 17 (scripts/install-prerequisites.sh)"
  lock
  check_ours
  local what=started
  if [[ -f $PROPS ]]; then
    [[ $(running_nodes) == 1,2,3 ]] && what="already running" || what=restarted
  elif [[ -d $DIR && -n $(ls -A "$DIR" 2>/dev/null) ]]; then
    log "found an incomplete cluster in $DIR, recreating it"
    stop_nodes
    rm -rf -- "$DIR"
  fi
  mkdir -p "$DIR"
  : >"$OURS"
  [[ -f $PROPS ]] || { create_props; what="created"; log "creating a new cluster in $DIR"; }
  load_props
  local n
  for n in "${NODES[@]}"; do node_pid "$n" >/dev/null || check_ports "$n"; done
  ensure_jars
  write_log_configs
  for n in "${NODES[@]}"; do start_node "$n"; done
  ensure_probe
  wait_ready "$WAIT_SECS" 1,2,3
  summary "$what"
}

cmd_stop() {
  lock
  check_ours
  [[ -f $PROPS ]] || { log "no cluster in $DIR"; return 0; }
  [[ -n $(running_nodes) ]] || { log "not running (data kept in $DIR)"; return 0; }
  stop_nodes
  log "stopped in $(elapsed "$T0")s (data kept in $DIR)"
}

cmd_purge() {
  lock
  check_ours
  if [[ -d $DIR ]]; then
    local n
    for n in "${NODES[@]}"; do kill_node "$n" KILL; done
    rm -rf -- "$DIR"
  fi
  log "purged $DIR"
}

cmd_status() {
  if [[ ! -f $PROPS ]]; then
    echo "kafka-cluster: no cluster in $DIR"
    return 3
  fi
  load_props
  local n down=() running
  for n in "${NODES[@]}"; do node_pid "$n" >/dev/null || down+=("node-$n"); done
  if ((${#down[@]})); then
    echo "kafka-cluster: DOWN: not running: ${down[*]} (dir $DIR)"
    return 2
  fi
  running=$(running_nodes)
  [[ -f $DIR/probe/KafkaClusterProbe.class ]] || { echo "kafka-cluster: DEGRADED: no probe (run start)"; return 1; }
  local err
  if ! err=$( (wait_ready 15 "$running") 2>&1); then
    echo "kafka-cluster: DEGRADED: nodes running but the cluster is not ready: $(tail -n 1 <<<"${err#kafka-cluster: ERROR: }")"
    return 1
  fi
  echo "kafka-cluster: UP: dir $DIR, bootstrap $(bootstrap_servers), 3 brokers, ISR full"
}

cmd_env() {
  load_props
  # Unquoted on purpose: only digits, dots, colons and commas (validated), so a reader that splits
  # at the first '=' (the Java fixtures do) gets the value as it is.
  printf 'export BLOCKFERRY_KAFKA_BOOTSTRAP_SERVERS=%s\n' "$(bootstrap_servers)"
  printf 'export BLOCKFERRY_KAFKA_REPLICATION_FACTOR=%s\n' "$CLUSTER_RF"
}

cmd_kill_broker() {
  check_node_arg "${1:-}"
  lock
  check_ours
  local pid
  if ! pid=$(node_pid "$1"); then
    log "node $1 is not running"
    return 0
  fi
  kill_node "$1" KILL
  log "killed node $1 (pid $pid) with SIGKILL"
}

cmd_start_broker() {
  check_node_arg "${1:-}"
  require_java kafka-cluster
  lock
  check_ours
  [[ -f $PROPS ]] || die "no cluster in $DIR: run start first"
  load_props
  local what=restarted
  node_pid "$1" >/dev/null && what="already running"
  [[ -d $LIB ]] || ensure_jars
  write_log_configs
  start_node "$1"
  ensure_probe
  # With all three nodes up this is a full ISR everywhere; with another node down, node N is at
  # least back in the ISR of every partition it holds. Node N is named even if it already died.
  local n brokers=()
  for n in "${NODES[@]}"; do
    [[ $n == "$1" ]] || node_pid "$n" >/dev/null && brokers+=("$n")
  done
  wait_ready "$WAIT_SECS" "$(IFS=,; echo "${brokers[*]}")"
  log "node $1 $what and caught up in $(elapsed "$T0")s (running nodes: $(running_nodes))"
}

case ${1:-} in
  start) cmd_start ;;
  stop) cmd_stop ;;
  purge) cmd_purge ;;
  status) cmd_status ;;
  env) cmd_env ;;
  kill-broker) cmd_kill_broker "${2:-}" ;;
  start-broker) cmd_start_broker "${2:-}" ;;
  -h | --help | help) usage ;;
  *)
    usage
    exit 64
    ;;
esac
