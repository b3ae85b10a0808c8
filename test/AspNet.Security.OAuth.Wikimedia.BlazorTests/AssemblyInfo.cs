// One Chromium journey at a time: on a fresh machine (as CI is) the first pages Chromium renders build its font
// cache, and journeys run side by side on two cores then outlast Playwright's time-outs.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
