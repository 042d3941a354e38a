// A recording stand-in for the Jenkins pipeline steps the Keelson Jenkinsfiles call, used as the script base class
// (what CpsScript is in Jenkins). Every step records its name, its arguments exactly as received and its block
// depth, then runs its body once. keelsonCanary() and the property keelsonCanary are the canary: no generated
// Jenkinsfile calls them, so a record with `canary: true` means user text escaped its string literal.
// Unknown methods are not stubbed on purpose: an escaped `evil()` fails the run with MissingMethodException.

/** What `error` throws; catchError and parallel treat it as Jenkins treats a failed step. */
class PipelineError extends RuntimeException {
  PipelineError(String message) { super(message) }
}

/** currentBuild, params and env: reads and writes of their properties are recorded as calls. */
class RecordingObject extends GroovyObjectSupport {
  final String name
  final Map values

  RecordingObject(String name, Map values) { this.name = name; this.values = values }

  Object getProperty(String property) {
    JenkinsStub.record("${name}.${property}".toString(), [])
    values[property]
  }

  void setProperty(String property, Object value) {
    JenkinsStub.record("${name}.${property}=".toString(), [value])
    values[property] = value
  }
}

abstract class JenkinsStub extends Script {
  static final String WORKSPACE = '/home/jenkins/agent/workspace/job'
  static final String POD = 'keelson-stub-pod'

  // One Jenkinsfile runs at a time; reset() starts a fresh recording.
  static List calls = []
  static List shScripts = []
  static List canaryCalls = []
  static int depth = 0
  static Map paramValues = [:]
  static Map envValues = [:]
  static Map buildValues = [:]

  static void reset(Map parameters) {
    calls = []; shScripts = []; canaryCalls = []; depth = 0
    paramValues = new LinkedHashMap(parameters); envValues = [:]; buildValues = [result: null]
  }

  static void record(String step, List args) {
    calls << [step: step, depth: depth, args: args]
  }

  /** Runs a compiled Jenkinsfile class and returns what it did. */
  static Map execute(Class scriptClass) {
    Map outcome = [result: 'SUCCESS', error: null]
    try {
      Script script = (Script) scriptClass.getConstructor().newInstance()
      script.binding = new Binding()
      script.run()
    } catch (PipelineError e) {
      // A failed build, as Jenkins ends a run whose step called error() outside catchError.
      outcome.result = 'FAILURE'
      outcome.error = e.message
    } catch (Throwable e) {
      outcome.result = 'CRASHED'
      outcome.error = e.getClass().name + ': ' + e.message
    }
    outcome + [canary: !canaryCalls.isEmpty(), canaryCalls: canaryCalls, calls: calls, sh: shScripts]
  }

  // --- the canary

  def keelsonCanary(Object... args) { canaryRan('keelsonCanary()', args.toList()) }

  def getKeelsonCanary() { canaryRan('keelsonCanary', []) }

  private static Object canaryRan(String how, List args) {
    canaryCalls << how
    record('keelsonCanary', args)
    null
  }

  // --- global variables

  def getParams() { new RecordingObject('params', paramValues) }

  def getEnv() { new RecordingObject('env', envValues) }

  def getCurrentBuild() { new RecordingObject('currentBuild', buildValues) }

  def getScm() { record('scm', []); [$class: 'GitSCM'] }

  /** Set by the Kubernetes plugin inside podTemplate; read as a bare name. */
  def getPOD_LABEL() { record('POD_LABEL', []); POD }

  // --- block steps: record, then run the body once (retry too: bodies here never fail but through error())

  private Object block(String step, Object[] args) {
    List all = args.toList()
    Closure body = all && all[-1] instanceof Closure ? (Closure) all[-1] : null
    record(step, body ? all.subList(0, all.size() - 1) : all)
    if (body == null) return null
    depth++
    try {
      return body.call()
    } finally {
      depth--
    }
  }

  def podTemplate(Object... a) { block('podTemplate', a) }
  def node(Object... a) { block('node', a) }
  def container(Object... a) { block('container', a) }
  def stage(Object... a) { block('stage', a) }
  def timeout(Object... a) { block('timeout', a) }
  def retry(Object... a) { block('retry', a) }
  def withEnv(Object... a) { block('withEnv', a) }
  def withCredentials(Object... a) { block('withCredentials', a) }
  def dir(Object... a) { block('dir', a) }
  def ws(Object... a) { block('ws', a) }

  def catchError(Object... a) {
    try {
      return block('catchError', a)
    } catch (PipelineError e) {
      record('catchError.caught', [e.message])
      return null
    }
  }

  /** Every branch runs (in order here); a failed branch fails the parallel after the others finish. */
  def parallel(Map branches) {
    record('parallel', [branches.keySet().toList()])
    PipelineError failure = null
    depth++
    try {
      branches.each { name, body ->
        if (name == 'failFast') return
        try {
          ((Closure) body).call()
        } catch (PipelineError e) {
          failure = failure ?: e
        }
      }
    } finally {
      depth--
    }
    if (failure != null) throw failure
    null
  }

  // Script's own output would go to the runner's stdout, which carries the records.
  void println() { record('println', []) }
  void println(Object value) { record('println', [value]) }
  void print(Object value) { record('print', [value]) }

  // --- plain steps

  def sh(Object arg) {
    Object script = arg instanceof Map ? ((Map) arg).script : arg
    shScripts << script
    record('sh', [arg])
    if (arg instanceof Map && ((Map) arg).returnStatus) return 0
    if (arg instanceof Map && ((Map) arg).returnStdout) return ''
    null
  }

  def error(Object message) {
    record('error', [message])
    throw new PipelineError(String.valueOf(message))
  }

  def echo(Object message) { record('echo', [message]); null }
  def input(Object arg) { record('input', [arg]); null }
  def checkout(Object arg) { record('checkout', [arg]); [GIT_COMMIT: ''] }
  def writeFile(Map arg) { record('writeFile', [arg]); null }
  def readFile(Object arg) { record('readFile', [arg]); '' }
  def fileExists(Object arg) { record('fileExists', [arg]); false }
  def deleteDir() { record('deleteDir', []); null }
  def sleep(Object arg) { record('sleep', [arg]); null }
  def isUnix() { record('isUnix', []); true }

  def pwd(Map arg = [:]) {
    record('pwd', [arg])
    arg.tmp ? WORKSPACE + '@tmp' : WORKSPACE
  }

  def containerTemplate(Map arg) { record('containerTemplate', [arg]); arg }
  def usernamePassword(Map arg) { record('usernamePassword', [arg]); arg }
  def string(Map arg) { record('string', [arg]); arg }
  def file(Map arg) { record('file', [arg]); arg }

  // --- output: JSON with every character outside printable ASCII escaped, so any UTF-16 string (lone
  // surrogates included) reaches the reader exactly. A GString is marked: the generated files never make one.

  static String json(Object v) {
    if (v == null) return 'null'
    if (v instanceof GString) return '{"gstring":' + quote(v.toString()) + '}'
    if (v instanceof CharSequence) return quote(v.toString())
    if (v instanceof Boolean || v instanceof Number) return v.toString()
    if (v instanceof Map) return '{' + v.collect { k, x -> quote(String.valueOf(k)) + ':' + json(x) }.join(',') + '}'
    if (v instanceof Collection) return '[' + v.collect { json(it) }.join(',') + ']'
    if (v instanceof Object[]) return json(((Object[]) v).toList())
    if (v instanceof Closure) return '{"closure":true}'
    '{"object":' + quote(v.getClass().name) + '}'
  }

  static String quote(String s) {
    StringBuilder out = new StringBuilder('"')
    for (int i = 0; i < s.length(); i++) {
      int c = (int) s.charAt(i)
      if (c == 0x22) out.append('\\"')
      else if (c == 0x5c) out.append('\\\\')
      else if (c >= 0x20 && c <= 0x7e) out.append((char) c)
      else out.append(String.format('\\u%04x', c))
    }
    out.append('"').toString()
  }
}
