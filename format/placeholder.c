int mf_placeholder_;
