import { parse } from 'yaml';

import { resolveDataPlaneInput } from './data-plane.input';
import { cascLiteral, jenkinsCascYaml } from './jenkins-casc';
import { aDataPlaneInput } from './testing/data-plane.builders';

describe('the JCasC document', () => {
  it('parses as YAML 1.1 and 1.2 to the same document', () => {
    const yaml = jenkinsCascYaml(resolveDataPlaneInput(aDataPlaneInput({ project: 'no' })));
    expect(parse(yaml, { version: '1.1' })).toEqual(parse(yaml, { version: '1.2' }));
    // `no` is a boolean in YAML 1.1: it must stay a string in the label and the namespace.
    const cloud = parse(yaml, { version: '1.1' }).jenkins.clouds[0].kubernetes;
    expect(cloud.namespace).toBe('no-builds');
    expect(cloud.podLabels).toContainEqual({ key: 'keelson.dev/project', value: 'no' });
  });

  it('points Jenkins at itself through the Service so agents can reach it over WebSocket', () => {
    const doc = parse(jenkinsCascYaml(resolveDataPlaneInput(aDataPlaneInput())));
    expect(doc.unclassified.location.url).toBe('http://jenkins.team-a-pipeline.svc:8080/');
    expect(doc.jenkins.clouds[0].kubernetes.jenkinsUrl).toBe('http://jenkins.team-a-pipeline.svc:8080/');
    expect(doc.jenkins.numExecutors).toBe(0);
  });

  it('runs agents in the builds namespace, not beside Jenkins\' Secrets', () => {
    const cloud = parse(jenkinsCascYaml(resolveDataPlaneInput(aDataPlaneInput()))).jenkins.clouds[0].kubernetes;
    expect(cloud.namespace).toBe('team-a-builds');
  });

  it('escapes JCasC interpolation in literal values', () => {
    expect(cascLiteral('a ${X} b ${Y}')).toBe('a ^${X} b ^${Y}');
    expect(cascLiteral('$X {Y}')).toBe('$X {Y}');
  });
});
