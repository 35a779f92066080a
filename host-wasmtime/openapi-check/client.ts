// A client of the generated types: calls that must type-check against the document.
import createClient from "openapi-fetch";
import type { components, paths } from "./generated/rxgate";

const client = createClient<paths>({ baseUrl: "http://127.0.0.1:8080" });

export async function panelStatus(id: string): Promise<string | undefined> {
  const { data, error } = await client.GET("/api/emr/orders/{id}/beluga", {
    params: { path: { id } },
    headers: { "X-Api-Key": "key" },
  });
  if (error) {
    const problem: components["schemas"]["ProblemDoc"] = error;
    return problem.code;
  }
  const calls: components["schemas"]["CallSummary"][] = data.calls;
  return `${data.orderId} v${data.version}: ${calls.length} calls`;
}

export async function sendCsMessage(id: string, content: string): Promise<boolean> {
  const { data } = await client.POST("/api/emr/orders/{id}/messages", {
    params: { path: { id }, header: { "Idempotency-Key": `cs-${id}` } },
    body: { content },
  });
  return data?.status === "queued";
}

export async function settle(notificationId: string): Promise<number | undefined> {
  const { data } = await client.POST("/api/emr/notifications/{notification_id}/settle", {
    params: { path: { notification_id: notificationId } },
    body: { status: "sent" },
  });
  return data?.id;
}

export async function storeOrder(
  id: string,
  snapshot: components["schemas"]["OrderSnapshot"],
): Promise<number | undefined> {
  const { data } = await client.PUT("/api/emr/orders/{id}", {
    params: { path: { id } },
    body: snapshot,
  });
  return data?.version;
}
