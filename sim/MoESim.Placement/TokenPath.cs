namespace MoESim.Placement;

/// <summary>How a token's hidden state travels between MoE layers; decides cross-device bytes.</summary>
public enum TokenPath
{
    /// <summary>
    /// MoETuner's model (placement.yaml id moetuner): after the first dispatch from the token's
    /// origin device, a token moves straight from its layer-l experts' devices to its layer-(l+1)
    /// experts' devices (each of the k² expert pairs carries 1/k of the hidden state, so a token
    /// moves k hidden states per layer, as a plain dispatch does); the last layer combines back to
    /// the origin. Adjacent-layer co-activation decides traffic: co-located pairs cost nothing.
    /// </summary>
    FollowExperts,

    /// <summary>
    /// DP attention between MoE layers: every layer dispatches each token from its origin device
    /// to its k experts and combines the k outputs back (hidden state each way).
    /// </summary>
    ReturnToOrigin,
}
