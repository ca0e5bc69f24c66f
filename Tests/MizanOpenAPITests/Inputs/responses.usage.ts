// Compiled with the kernel generated from responses.yaml: several 2xx responses give a result
// narrowed by status; 4xx/5xx bodies are typed errors narrowed by status.
import { isJobsCreateJobError, isJobsGetJobError } from "./index.js";
import type { JobsCreateJobResult, Mizan } from "./index.js";

export function describe(result: JobsCreateJobResult): string {
  switch (result.status) {
    case 200: return result.data.output;
    case 202: return `ticket ${result.data.ticket}, ${result.data.eta_seconds}s`;
    case 204: return "nothing to do";
  }
}

export async function run(mizan: Mizan, command: string): Promise<string> {
  try {
    return describe(await mizan.jobs.createJob({ body: { command } }));
  } catch (error) {
    if (isJobsCreateJobError(error)) {
      switch (error.status) {
        case 400:
        case 422: return Object.keys(error.detail.fields).join(", ");
        case 409: return "busy";
        case 503: return error.detail.title;
      }
    }
    throw error;
  }
}

export async function detail(mizan: Mizan, id: number): Promise<string> {
  try {
    return (await mizan.jobs.getJob({ id })).output;
  } catch (error) {
    if (isJobsGetJobError(error)) {
      const status: 404 = error.status;
      return `${status}: ${error.detail.detail}`;
    }
    throw error;
  }
}
