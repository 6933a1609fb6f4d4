using System.Globalization;
using k8s;
using k8s.Models;

namespace Azora.Manifests.Generation;

/// <summary>
/// The nodes an environment needs, computed from the built overlay's resource requests (what the scheduler reserves,
/// and so what is paid for): at the fewest pods (the autoscalers' minimums, fixed counts elsewhere) and at the most
/// (the autoscalers' maximums), with one run of each Job and CronJob on top. Production must also survive a zone:
/// the pods have to fit on the nodes of the zones left. <c>scripts/capacity-plan.sh</c> prints it; a test holds the
/// infrastructure guide's table to it.
/// </summary>
public static class CapacityPlan
{
    public const int HoursPerMonth = 730;

    /// <summary>A node as bought, and what its system pods (kubelet reserve, CNI, DNS, log collector, node exporter) keep.</summary>
    public sealed record NodeShape(double Cpu, double MemoryGiB, double SystemCpu, double SystemMemoryGiB)
    {
        public double UsableCpu => Cpu - SystemCpu;

        public double UsableMemoryGiB => MemoryGiB - SystemMemoryGiB;

        public override string ToString() => $"{Number(Cpu)} vCPU / {Number(MemoryGiB)} GiB";
    }

    /// <param name="BaseNodes">the node pool's minimum: staging 3 in one zone, production 6 over 3 zones</param>
    public sealed record Environment(string Name, NodeShape Node, int Zones, int BaseNodes);

    public static readonly Environment Staging = new("staging", new NodeShape(2, 4, 0.5, 1), Zones: 1, BaseNodes: 3);

    public static readonly Environment Production = new("production", new NodeShape(2, 8, 0.5, 1.5), Zones: 3, BaseNodes: 6);

    public sealed record Row(
        Environment Environment, double CpuAtMin, double MemoryGiBAtMin, double CpuAtMax, double MemoryGiBAtMax, int MinNodes, int MaxNodes)
    {
        public int MinNodeHours => MinNodes * HoursPerMonth;

        public int MaxNodeHours => MaxNodes * HoursPerMonth;

        public string Markdown() =>
            $"| {Environment.Name} | {Environment.Node} | {Number(CpuAtMin)} CPU, {Number(MemoryGiBAtMin)} GiB | {Number(CpuAtMax)} CPU, {Number(MemoryGiBAtMax)} GiB | " +
            $"{MinNodes}–{MaxNodes} | {MinNodeHours.ToString("N0", CultureInfo.InvariantCulture)}–{MaxNodeHours.ToString("N0", CultureInfo.InvariantCulture)} |";
    }

    public const string MarkdownHeader =
        "| environment | node | requests at the fewest pods | requests at the most pods | nodes | node-hours a month |\n| --- | --- | --- | --- | --- | --- |";

    public static Row For(Environment environment, IReadOnlyList<object> objects)
    {
        var autoscalers = objects.OfType<V2HorizontalPodAutoscaler>().ToDictionary(hpa => hpa.Spec.ScaleTargetRef.Name);
        double cpuMin = 0, memoryMin = 0, cpuMax = 0, memoryMax = 0;

        void Add(V1PodSpec pod, int fewest, int most)
        {
            var (cpu, memory) = Requests(pod);
            cpuMin += cpu * fewest;
            memoryMin += memory * fewest;
            cpuMax += cpu * most;
            memoryMax += memory * most;
        }

        foreach (var deployment in objects.OfType<V1Deployment>())
        {
            var scaled = autoscalers.TryGetValue(deployment.Metadata.Name, out var hpa);
            var replicas = deployment.Spec.Replicas ?? 1;
            Add(deployment.Spec.Template.Spec, scaled ? hpa!.Spec.MinReplicas ?? 1 : replicas, scaled ? hpa!.Spec.MaxReplicas : replicas);
        }

        foreach (var statefulSet in objects.OfType<V1StatefulSet>())
        {
            Add(statefulSet.Spec.Template.Spec, statefulSet.Spec.Replicas ?? 1, statefulSet.Spec.Replicas ?? 1);
        }

        foreach (var pod in objects.OfType<V1Job>().Select(job => job.Spec.Template.Spec)
                     .Concat(objects.OfType<V1CronJob>().Select(cron => cron.Spec.JobTemplate.Spec.Template.Spec)))
        {
            Add(pod, 1, 1);
        }

        return new Row(environment, Round(cpuMin), Round(memoryMin), Round(cpuMax), Round(memoryMax),
            Math.Max(environment.BaseNodes, NodesFor(environment, cpuMin, memoryMin)), Math.Max(environment.BaseNodes, NodesFor(environment, cpuMax, memoryMax)));
    }

    /// <summary>
    /// Nodes for these requests, in whole zones' worth (the same count in each zone), such that with several zones
    /// the nodes of all zones but one still hold them.
    /// </summary>
    public static int NodesFor(Environment environment, double cpu, double memoryGiB)
    {
        var zonesLeft = Math.Max(1, environment.Zones - 1);
        var needed = Math.Max(Math.Ceiling(cpu / environment.Node.UsableCpu), Math.Ceiling(memoryGiB / environment.Node.UsableMemoryGiB));
        var perZone = (int)Math.Ceiling(needed / zonesLeft);
        return perZone * environment.Zones;
    }

    public static (double Cpu, double MemoryGiB) Requests(V1PodSpec pod)
    {
        double cpu = 0, memory = 0;
        foreach (var container in pod.Containers)
        {
            if (container.Resources?.Requests is { } requests)
            {
                cpu += requests.TryGetValue("cpu", out var c) ? (double)c.ToDecimal() : 0;
                memory += requests.TryGetValue("memory", out var m) ? (double)m.ToDecimal() / (1024 * 1024 * 1024) : 0;
            }
        }

        return (cpu, memory);
    }

    /// <summary>Builds each overlay with <c>kubectl kustomize</c> and prints the table the guide shows.</summary>
    public static async Task<int> PrintAsync(string repositoryRoot, TextWriter output)
    {
        await output.WriteLineAsync(MarkdownHeader);
        foreach (var environment in (Environment[])[Staging, Production])
        {
            var start = new System.Diagnostics.ProcessStartInfo("kubectl", ["kustomize", Path.Combine(repositoryRoot, "manifests", "overlays", environment.Name)])
            {
                RedirectStandardOutput = true,
            };
            using var process = System.Diagnostics.Process.Start(start)!;
            var yaml = await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();
            if (process.ExitCode != 0)
            {
                return process.ExitCode;
            }

            var objects = KubernetesYaml.LoadAllFromString(yaml, Monitoring.CustomResourceTypes.ByApiVersionAndKind, strict: true);
            await output.WriteLineAsync(For(environment, objects).Markdown());
        }

        return 0;
    }

    private static double Round(double value) => Math.Round(value, 2);

    private static string Number(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);
}
