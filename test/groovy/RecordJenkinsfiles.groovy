// Compiles every `*.Jenkinsfile` of a directory with groovyc's compiler (FileSystemCompiler, the class the groovyc
// command runs) against JenkinsStub as script base class, runs the class files it wrote, and prints one JSON line
// per file, then `{"done": true, ...}`. All files share one JVM: starting one costs seconds. Each file is compiled
// as `WorkflowScript.groovy`, the class name Jenkins gives a pipeline script (a file name is rarely a JVM name).
//
//   groovy test/groovy/RecordJenkinsfiles.groovy <dir>
//
// `<name>.params.json` beside `<name>.Jenkinsfile` gives the build parameters (`params.EXECUTION_ID`).
// Compiling is most of the time, so files compile on every core while the main thread runs them one at a time
// (the stub records into static fields).
import groovy.json.JsonSlurper
import java.util.concurrent.Callable
import java.util.concurrent.Executors
import org.codehaus.groovy.control.CompilationUnit
import org.codehaus.groovy.control.CompilerConfiguration
import org.codehaus.groovy.tools.FileSystemCompiler

if (args.length != 1 || !new File(args[0]).isDirectory()) {
  System.err.println('usage: groovy RecordJenkinsfiles.groovy <directory of *.Jenkinsfile>')
  System.exit(2)
}
long started = System.nanoTime()
File dir = new File(args[0])
File here = new File(getClass().protectionDomain.codeSource.location.toURI()).parentFile
GroovyClassLoader loader = new GroovyClassLoader(getClass().classLoader)
loader.parseClass(new File(here, 'JenkinsStub.groovy'))
Class stub = loader.loadClass('JenkinsStub')
File classes = File.createTempDir('keelson-groovyc', '')
List<File> files = dir.listFiles().findAll { it.name.endsWith('.Jenkinsfile') }.sort { it.name }

/** groovyc's compile of one file into its own directory; the record so far. */
Closure<Map> compile = { File file, File target ->
  File source = new File(target, 'WorkflowScript.groovy')
  target.mkdirs()
  source.bytes = file.bytes
  Map record = [file: file.name, compiled: false, compileError: null]
  try {
    CompilerConfiguration config = new CompilerConfiguration()
    config.scriptBaseClass = stub.name
    config.targetDirectory = target
    config.sourceEncoding = 'UTF-8'
    new FileSystemCompiler(config, new CompilationUnit(config, null, loader)).compile([source] as File[])
    record.compiled = true
  } catch (Throwable e) {
    record.compileError = e.getClass().name + ': ' + e.message
  }
  record
}

def pool = Executors.newFixedThreadPool(Runtime.runtime.availableProcessors())
List compiled = files.withIndex().collect { File file, int i ->
  pool.submit({ compile(file, new File(classes, String.valueOf(i))) } as Callable<Map>)
}
files.eachWithIndex { File file, int i ->
  Map record = compiled[i].get()
  File target = new File(classes, String.valueOf(i))
  if (record.compiled) {
    File params = new File(dir, (file.name - ~/\.Jenkinsfile$/) + '.params.json')
    stub.reset(params.exists() ? (Map) new JsonSlurper().parse(params, 'UTF-8') : [:])
    URLClassLoader classLoader = new URLClassLoader([target.toURI().toURL()] as URL[], loader)
    record.putAll(stub.execute(classLoader.loadClass('WorkflowScript')))
    classLoader.close()
  }
  target.deleteDir()
  println stub.json(record)
}
pool.shutdown()
classes.deleteDir()
println stub.json([done: true, files: files.size(), groovy: GroovySystem.version,
                   millis: (System.nanoTime() - started).intdiv(1_000_000)])
