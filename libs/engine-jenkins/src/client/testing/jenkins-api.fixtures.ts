// Jenkins answers as /work/shared/reference/jenkins-api.md records them (its section named on each), shaped
// after core Queue.java, pipeline-stage-view `rest-api` and the samples in silas/node-jenkins test/fixtures.

const ROOT = 'http://jenkins.example:8080/jenkins';

/** "Trigger, queue item and build number": a WaitingItem still in the queue. */
export function waitingItem(id: number, job: string, executionId: string, why: string | null = 'In the quiet period. Expires in 4.9 sec') {
  return {
    _class: 'hudson.model.Queue$WaitingItem',
    actions: [{ _class: 'hudson.model.ParametersAction' }, { _class: 'hudson.model.CauseAction', causes: [{ _class: 'hudson.model.Cause$UserIdCause', shortDescription: 'Started by user keelson', userId: 'keelson', userName: 'keelson' }] }],
    blocked: false,
    buildable: false,
    id,
    inQueueSince: 1700000000000,
    params: `\nEXECUTION_ID=${executionId}`,
    stuck: false,
    task: { _class: 'org.jenkinsci.plugins.workflow.job.WorkflowJob', name: job, url: `${ROOT}/job/${job}/`, color: 'notbuilt' },
    url: `queue/item/${id}/`,
    why,
    timestamp: 1700000005000,
  };
}

/** "Trigger, queue item and build number": the LeftItem once the build started (`cancelled: false`, `executable`). */
export function leftItem(id: number, job: string, executionId: string, number: number) {
  return {
    ...waitingItem(id, job, executionId, null),
    _class: 'hudson.model.Queue$LeftItem',
    cancelled: false,
    executable: { _class: 'org.jenkinsci.plugins.workflow.job.WorkflowRun', number, url: `${ROOT}/job/${job}/${number}/` },
  };
}

/** Same section: a LeftItem of a cancelled item (`cancelled: true`, `executable: null`). */
export function cancelledItem(id: number, job: string, executionId: string) {
  return { ...waitingItem(id, job, executionId, null), _class: 'hudson.model.Queue$LeftItem', cancelled: true, executable: null };
}

/** `GET /queue/api/json`: the items still queued. */
export function queue(...items: object[]) {
  return { _class: 'hudson.model.Queue', discoverableItems: [], items };
}

/** `GET /job/<name>/api/json?tree=builds[number,queueId,actions[parameters[name,value]]]{0,50}`; newest first. */
export function jobBuilds(builds: Array<{ number: number; queueId: number; executionId?: string }>) {
  return {
    _class: 'org.jenkinsci.plugins.workflow.job.WorkflowJob',
    builds: builds.map((b) => ({
      _class: 'org.jenkinsci.plugins.workflow.job.WorkflowRun',
      actions: [
        ...(b.executionId === undefined ? [] : [{ _class: 'hudson.model.ParametersAction', parameters: [{ _class: 'hudson.model.StringParameterValue', name: 'EXECUTION_ID', value: b.executionId }] }]),
        {},
        { _class: 'hudson.model.CauseAction' },
      ],
      number: b.number,
      queueId: b.queueId,
    })),
  };
}

/** `GET /job/<name>/<n>/api/json` (core Run). */
export function build(job: string, number: number, queueId: number, result: string | null, building = result === null) {
  return {
    _class: 'org.jenkinsci.plugins.workflow.job.WorkflowRun',
    building, result, number, id: String(number), queueId,
    duration: building ? 0 : 81234, timestamp: 1700000010000, url: `${ROOT}/job/${job}/${number}/`,
  };
}

type Stage = { id: string; name: string; status: string; error?: { message: string; type: string } };

/** "Stage view REST": `wfapi/describe` (RunExt). */
export function runExt(job: string, number: number, status: string, stages: Stage[]) {
  return {
    _links: { self: { href: `/jenkins/job/${job}/${number}/wfapi/describe` }, ...(status === 'PAUSED_PENDING_INPUT' && { pendingInputActions: { href: `/jenkins/job/${job}/${number}/wfapi/pendingInputActions` } }) },
    id: String(number), name: `#${number}`, status,
    startTimeMillis: 1700000011000, endTimeMillis: 1700000091000, durationMillis: 80000, queueDurationMillis: 1000, pauseDurationMillis: 0,
    stages: stages.map((s, i) => ({
      _links: { self: { href: `/jenkins/job/${job}/${number}/execution/node/${s.id}/wfapi/describe` } },
      id: s.id, name: s.name, execNode: '', status: s.status,
      startTimeMillis: 1700000012000 + i * 1000, durationMillis: 900, pauseDurationMillis: 0,
      ...(s.error && { error: s.error }),
    })),
  };
}

/** "Input step": `wfapi/pendingInputActions`. */
export function pendingInputActions(job: string, number: number, id: string, message: string) {
  return [{
    id, proceedText: 'Proceed', message, inputs: [],
    proceedUrl: `/jenkins/job/${job}/${number}/wfapi/inputSubmit?inputId=${id}`,
    abortUrl: `/jenkins/job/${job}/${number}/input/${id}/abort`,
    redirectApprovalUrl: `/jenkins/job/${job}/${number}/input/`,
  }];
}

/** "Stage view REST": `execution/node/<id>/wfapi/log`, text HTML-escaped and cut to the last 10 KiB. */
export function nodeLog(job: string, number: number, nodeId: string, text: string | undefined, hasMore = false, length = 295) {
  return {
    nodeId, nodeStatus: 'SUCCESS', length, hasMore,
    ...(text !== undefined && { text, consoleUrl: `/jenkins/job/${job}/${number}/execution/node/${nodeId}/log` }),
  };
}
