"""The dashboard's Preverification pages (VPN & Proxy, Device Verification): the network app's
verdicts shown beside the submissions they belong to. They live here, not in ``network``,
because they read submissions (status, the sealed e-mail) and ``network`` must not."""
